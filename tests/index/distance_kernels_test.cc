// Every SIMD distance kernel against a double-precision reference: many dimensions from 0
// to 2049, every alignment offset, values spanning several magnitudes, exact single-term
// cases, and reads bounded by a guard page. Kernels this CPU cannot run are skipped.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "index/simd/accelerate.h"
#include "index/simd/kernels.h"

namespace quiver::simd {
namespace {

constexpr double kUnitRoundoff = 0x1p-24;  // float32 unit roundoff u.

struct Reference {
  double value;
  double magnitude;  // sum of |terms|, the scale of the rounding error.
};

Reference L2Reference(const float* x, const float* y, size_t d) {
  Reference r{0, 0};
  for (size_t i = 0; i < d; ++i) {
    const double t = double(x[i]) - double(y[i]);
    r.value += t * t;
  }
  r.magnitude = r.value;
  return r;
}

Reference IpReference(const float* x, const float* y, size_t d) {
  Reference r{0, 0};
  for (size_t i = 0; i < d; ++i) {
    r.value += double(x[i]) * double(y[i]);
    r.magnitude += std::fabs(double(x[i]) * double(y[i]));
  }
  return r;
}

// Stated tolerance: the classical bound for a float sum of d rounded terms in any order,
// |error| <= (d + 2) u sum|terms| (one more u for L2's rounded difference), plus a floor
// for underflow. A dropped or doubled element costs about sum|terms| / d, far above it.
double Tolerance(const Reference& r, size_t d) {
  return (double(d) + 3.0) * kUnitRoundoff * r.magnitude + 1e-30;
}

// The kernel sets under test, by name; the test skips those absent or unsupported.
class KernelTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::string& name = GetParam();
    const KernelSet* compiled = name == "avx512" ? Avx512Kernels()
                                : name == "avx2" ? Avx2Kernels()
                                                 : GenericKernels();
    if (compiled == nullptr) GTEST_SKIP() << name << " kernels are not compiled into this build";
    if (!CpuSupports(*compiled)) GTEST_SKIP() << "this CPU cannot run the " << name << " kernels";
    kernels_ = compiled;
  }

  const KernelSet* kernels_ = nullptr;
};

// Dimensions 0..80 exhaustively, every size near a multiple of 16 up to 2049, and random
// ones in between.
std::vector<size_t> TestDimensions() {
  std::vector<size_t> dims;
  for (size_t d = 0; d <= 80; ++d) dims.push_back(d);
  for (size_t m = 96; m <= 2048; m += 16) {
    for (size_t d : {m - 1, m, m + 1}) dims.push_back(d);
  }
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> any(81, 2049);
  for (int i = 0; i < 200; ++i) dims.push_back(any(rng));
  dims.push_back(2049);
  return dims;
}

TEST_P(KernelTest, MatchesReferenceOverDimensionsOffsetsAndScales) {
  std::mt19937 rng(42);
  const float scales[] = {1e-3f, 1.0f, 37.5f, 1e3f};
  std::vector<float> xbuf(2049 + 16), ybuf(2049 + 16);
  size_t case_index = 0;
  for (size_t d : TestDimensions()) {
    const float scale = scales[case_index % 4];
    std::uniform_real_distribution<float> value(-scale, scale);
    for (float& v : xbuf) v = value(rng);
    for (float& v : ybuf) v = value(rng);
    // Offsets cover all 16 float positions within a 64-byte line, independently for x, y.
    const float* x = xbuf.data() + case_index % 16;
    const float* y = ybuf.data() + (case_index * 7 + 3) % 16;
    ++case_index;

    const Reference l2 = L2Reference(x, y, d);
    const Reference ip = IpReference(x, y, d);
    ASSERT_NEAR(kernels_->l2(x, y, d), l2.value, Tolerance(l2, d)) << "l2, d=" << d;
    ASSERT_NEAR(kernels_->ip(x, y, d), ip.value, Tolerance(ip, d)) << "ip, d=" << d;
  }
}

// With one differing coordinate every other term is exactly zero, so the result is the
// single rounded term exactly: catches any element that is skipped, repeated or misplaced.
TEST_P(KernelTest, SingleTermIsExactAtEveryPosition) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> value(-2.0f, 2.0f);
  for (size_t d : {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 129, 384, 785, 2049}) {
    std::vector<float> x(d), y(d), zero(d, 0.0f);
    for (size_t i = 0; i < d; ++i) x[i] = y[i] = value(rng);
    for (size_t p = 0; p < d; ++p) {
      const float saved = y[p];
      y[p] = saved + 0.75f;
      const float diff = x[p] - y[p];
      ASSERT_EQ(kernels_->l2(x.data(), y.data(), d), diff * diff) << "d=" << d << " p=" << p;
      y[p] = saved;

      std::vector<float> unit(d, 0.0f);
      unit[p] = 1.5f;
      ASSERT_EQ(kernels_->ip(x.data(), unit.data(), d), x[p] * 1.5f) << "d=" << d << " p=" << p;
      ASSERT_EQ(kernels_->ip(zero.data(), unit.data(), d), 0.0f);
    }
  }
}

// Vectors that end exactly where an inaccessible page begins: any read past the end faults.
TEST_P(KernelTest, NeverReadsPastTheEnd) {
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  const size_t bytes = 4 * page;  // three readable pages (room for 2049 floats) + a guard.
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  char* guard = static_cast<char*>(mem) + 3 * page;
  ASSERT_EQ(mprotect(guard, page, PROT_NONE), 0);
  float* end = reinterpret_cast<float*>(guard);
  for (float* p = static_cast<float*>(mem); p < end; ++p) *p = 0.5f;

  for (size_t d = 1; d <= 2049; d += (d < 80 ? 1 : 97)) {
    const float* v = end - d;
    EXPECT_FLOAT_EQ(kernels_->l2(v, v, d), 0.0f);
    EXPECT_NEAR(kernels_->ip(v, v, d), 0.25 * double(d), 1e-3 * double(d));
    float out = -1.0f;
    kernels_->l2_many(v, v, d, 1, &out);
    EXPECT_FLOAT_EQ(out, 0.0f);
  }
  munmap(mem, bytes);
}

// The one-query-many-rows kernels agree exactly with the pair kernels, row by row.
TEST_P(KernelTest, ManyRowsMatchPairKernel) {
  std::mt19937 rng(11);
  std::normal_distribution<float> value;
  for (size_t d : {1, 5, 16, 23, 64, 100, 384, 784}) {
    const size_t n = 37;
    std::vector<float> rows(n * d + 1), query(d + 1);
    for (float& v : rows) v = value(rng);
    for (float& v : query) v = value(rng);
    const float* q = query.data() + 1;  // unaligned query, aligned-or-not rows by d.
    std::vector<float> l2(n), ip(n);
    kernels_->l2_many(q, rows.data(), d, n, l2.data());
    kernels_->ip_many(q, rows.data(), d, n, ip.data());
    for (size_t j = 0; j < n; ++j) {
      ASSERT_EQ(l2[j], kernels_->l2(q, rows.data() + j * d, d)) << "d=" << d << " j=" << j;
      ASSERT_EQ(ip[j], kernels_->ip(q, rows.data() + j * d, d)) << "d=" << d << " j=" << j;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllFlavours, KernelTest, ::testing::Values("generic", "avx2", "avx512"),
                         [](const auto& info) { return info.param; });

TEST(KernelDispatchTest, ActiveKernelIsTheBestSupported) {
  const KernelSet& active = ActiveKernels();
  EXPECT_TRUE(CpuSupports(active));
  EXPECT_EQ(ActiveKernelName(), std::string_view(active.name));
  if (std::getenv("QUIVER_SIMD_KERNEL") != nullptr) {
    GTEST_SKIP() << "QUIVER_SIMD_KERNEL overrides the choice";
  }
  const KernelSet* avx512 = Avx512Kernels();
  const KernelSet* avx2 = Avx2Kernels();
  std::string expected = "generic";
  if (avx512 != nullptr && CpuSupports(*avx512)) {
    expected = "avx512";
  } else if (avx2 != nullptr && CpuSupports(*avx2)) {
    expected = "avx2";
  }
  EXPECT_EQ(ActiveKernelName(), expected);
}

TEST(KernelDispatchTest, LookupByName) {
  ASSERT_NE(UsableKernelsByName("generic"), nullptr);
  EXPECT_EQ(UsableKernelsByName("generic"), GenericKernels());
  EXPECT_EQ(UsableKernelsByName("sse9"), nullptr);
  EXPECT_EQ(UsableKernelsByName(""), nullptr);
  for (const char* name : {"avx2", "avx512"}) {
    const KernelSet* set = UsableKernelsByName(name);
    if (set != nullptr) EXPECT_TRUE(CpuSupports(*set));
  }
}

}  // namespace
}  // namespace quiver::simd
