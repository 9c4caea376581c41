target_sources(quiver PRIVATE
  ${PROJECT_SOURCE_DIR}/index/checkpoint.cc
  ${PROJECT_SOURCE_DIR}/index/crc32c.cc
  ${PROJECT_SOURCE_DIR}/index/vector_index.cc)
if(EXISTS ${PROJECT_SOURCE_DIR}/index/simd/sources.cmake)
  include(${PROJECT_SOURCE_DIR}/index/simd/sources.cmake)
endif()
