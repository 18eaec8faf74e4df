// Debian's ITK 5.2 headers accept only the compiler ITK was built with
// (GCC): itk_compiler_detection.h stops with "Unsupported compiler" under
// clang.  The fuzz build (clang, for libFuzzer) includes this first in every
// file: it reads ITK's compiler detection once as GCC 12 would see it (the
// C++17 features both compilers have), then restores clang's macros; the
// header's include guard keeps it from being read again.
#pragma once
#if defined(__clang__) && defined(__cplusplus) && __has_include(<itk_compiler_detection.h>)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wbuiltin-macro-redefined"
#pragma push_macro("__clang__")
#pragma push_macro("__GNUC__")
#pragma push_macro("__GNUC_MINOR__")
#undef __clang__
#undef __GNUC__
#undef __GNUC_MINOR__
#define __GNUC__ 12
#define __GNUC_MINOR__ 2
#include <itk_compiler_detection.h>
#pragma pop_macro("__GNUC_MINOR__")
#pragma pop_macro("__GNUC__")
#pragma pop_macro("__clang__")
#pragma clang diagnostic pop
#endif
