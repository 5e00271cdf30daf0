// expect: a normalization policy needs a specialization of gad::nn::normalized
// needs: torch
#include <gad/algan.hpp>
// A tag with a name passes the policy rules, but nothing says which layer it builds.
struct weight_norm {
  static constexpr const char* name = "weight-norm";
};
gad::algan<weight_norm> detector;
