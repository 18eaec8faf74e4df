// Breaks the layout three ways (tests/CMakeLists.txt, architecture.*).
#include "lvsi/a/a.h"
#include "lvsi/b/b.h"
#include "detail/missing.h"
#include "b/detail/private.h"
#include "lvsi/core/error.h"
