# GAD_SANITIZE=ON builds gad's own targets with AddressSanitizer and UndefinedBehaviorSanitizer
# (scripts/sanitize.sh). LibTorch itself stays uninstrumented: errors in gad's code and in the
# way it calls LibTorch are found, not errors inside LibTorch.
option(GAD_SANITIZE "Build gad's tests with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(GAD_SANITIZE)
  # -fno-sanitize=vptr: the vptr check needs the RTTI of every polymorphic type it meets, and
  # LibTorch's are in a library built without the sanitizer's type-hash support.
  set(gad_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=all
      -fno-sanitize=vptr -fno-omit-frame-pointer)
  add_compile_options(${gad_sanitize_flags})
  add_link_options(${gad_sanitize_flags})
  # Bounds-checked operator[] and friends in libstdc++; the full debug mode (_GLIBCXX_DEBUG)
  # changes container layouts and so breaks LibTorch's ABI.
  add_compile_definitions(_GLIBCXX_ASSERTIONS)
endif()
