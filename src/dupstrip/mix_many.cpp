// mix64 over arrays (mix_many.hpp): an AVX-512 kernel chosen at run time when the processor has
// it, the scalar mix64 otherwise and for the tail. The tests compare both with mix64 itself.
#include "dupstrip/mix_many.hpp"

#include "dupstrip/hash.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DUPSTRIP_MIX_AVX512 1
#endif

namespace dupstrip::detail {

namespace {

void mix_scalar(const std::uint64_t* in, std::uint64_t* out, std::size_t n, std::uint64_t salt) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = mix64(in[i] ^ salt);
}

#ifdef DUPSTRIP_MIX_AVX512
// gcc 12's avx512fintrin.h starts the shift intrinsics from an undefined vector, which
// -Wmaybe-uninitialized reports in the caller (a false positive of the header).
#if !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
[[gnu::target("avx512f,avx512dq")]] void mix_avx512(const std::uint64_t* in, std::uint64_t* out, std::size_t n,
                                                    std::uint64_t salt) noexcept {
  const __m512i s = _mm512_set1_epi64(static_cast<long long>(salt));
  const __m512i c1 = _mm512_set1_epi64(static_cast<long long>(0x3C79AC492BA7B653ULL));
  const __m512i c2 = _mm512_set1_epi64(static_cast<long long>(0x1C69B3F74AC4AE35ULL));
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m512i x = _mm512_xor_si512(_mm512_loadu_si512(in + i), s);
    x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 27));
    x = _mm512_mullo_epi64(x, c1);
    x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 33));
    x = _mm512_mullo_epi64(x, c2);
    x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 27));
    _mm512_storeu_si512(out + i, x);
  }
  mix_scalar(in + i, out + i, n - i, salt);
}
#if !defined(__clang__)
#pragma GCC diagnostic pop
#endif

bool have_avx512() noexcept {
  static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  return yes;
}
#endif

}  // namespace

void mix64_xor_into(const std::uint64_t* in, std::uint64_t* out, std::size_t n, std::uint64_t salt) noexcept {
#ifdef DUPSTRIP_MIX_AVX512
  // Below a vector's worth the dispatch is not worth it.
  if (n >= 8 && have_avx512()) {
    mix_avx512(in, out, n, salt);
    return;
  }
#endif
  mix_scalar(in, out, n, salt);
}

void mix64_xor_all(std::uint64_t* p, std::size_t n, std::uint64_t salt) noexcept { mix64_xor_into(p, p, n, salt); }

}  // namespace dupstrip::detail
