# SIMD distance kernels for FAISS HNSW and flat search (issue 6). Included from
# index/sources.cmake, in the directory scope that creates the quiver target, so the
# per-file compile options below apply to it.
set(quiver_simd_dir ${CMAKE_CURRENT_LIST_DIR})
target_sources(quiver PRIVATE
  ${quiver_simd_dir}/accelerate.cc
  ${quiver_simd_dir}/dispatch.cc
  ${quiver_simd_dir}/kernel_flat_index.cc
  ${quiver_simd_dir}/kernels_generic.cc
  ${quiver_simd_dir}/kernels_avx2.cc
  ${quiver_simd_dir}/kernels_avx512.cc)

# Only the kernel files get wide instruction sets; dispatch.cc picks one at run time, so the
# library still runs on x86-64 CPUs without AVX2. Elsewhere these files compile to "absent".
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set_source_files_properties(${quiver_simd_dir}/kernels_avx2.cc
    PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma")
  set_source_files_properties(${quiver_simd_dir}/kernels_avx512.cc
    PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx2;-mfma")
endif()
