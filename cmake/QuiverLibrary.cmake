# The one library target, quiver::quiver. Each module folder lists its own sources in
# <module>/sources.cmake so that modules can grow without touching this file.
add_library(quiver STATIC)
add_library(quiver::quiver ALIAS quiver)

foreach(module storage index engine tokenizer embed)
  include(${PROJECT_SOURCE_DIR}/${module}/sources.cmake)
endforeach()

target_include_directories(quiver
  PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
  PRIVATE
    ${PROJECT_SOURCE_DIR})
target_compile_options(quiver PRIVATE -Wall -Wextra)
set_target_properties(quiver PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_link_libraries(quiver
  PRIVATE
    faiss OpenMP::OpenMP_CXX RocksDB::rocksdb-shared nlohmann_json::nlohmann_json
    Threads::Threads)
