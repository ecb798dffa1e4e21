// Whether this translation unit is built with AddressSanitizer (gcc's __SANITIZE_ADDRESS__ or
// clang's __has_feature): code and tests that depend on glibc's own malloc or on dlopen flags
// the sanitizer runtime refuses ask here, in one place.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define CLIPPO_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CLIPPO_ADDRESS_SANITIZER 1
#endif
#endif
#ifndef CLIPPO_ADDRESS_SANITIZER
#define CLIPPO_ADDRESS_SANITIZER 0
#endif
