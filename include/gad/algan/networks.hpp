#pragma once
// ALGAN's two networks, G and D (each in its own header). Widths and sizes are run-time values;
// the reference widths are the defaults of gad::algan_options. Both networks work on flattened
// images.
#include <gad/algan/discriminator.hpp>
#include <gad/algan/generator.hpp>
