// glibc's allocator controls (mallopt), which the Swift Glibc module does not
// import: the simulator sets its mmap threshold. Nothing on other systems.
#ifndef RUMOR_CMALLOC_SHIM_H
#define RUMOR_CMALLOC_SHIM_H
#if defined(__linux__)
#include <malloc.h>
#endif
#endif
