#pragma once
// GSC_API marks what libgsc exports.
// libgsc is compiled with -fvisibility=hidden: only declarations marked GSC_API (and the
// typeinfo and vtables of classes marked GSC_API, so gsc::Error is catchable in the caller)
// are visible outside a shared libgsc. A static libgsc defines it empty: its users compile
// with -DGSC_STATIC (CMake's gsc::gsc and `pkg-config --cflags gsc` say so).

// GSC_HIDDEN: a member type of an exported class that stays internal (a pimpl's Impl).
#if defined(GSC_STATIC)
#define GSC_API
#define GSC_HIDDEN
#else
#define GSC_API __attribute__((visibility("default")))
#define GSC_HIDDEN __attribute__((visibility("hidden")))
#endif
