# engine/: DBImpl, the ingest pipeline, the query path, fusion and filters.
file(GLOB quiver_engine_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/engine/*.cc)
target_sources(quiver PRIVATE ${quiver_engine_sources})
# engine/source_reader.cc reads gzip-compressed sources.
find_package(ZLIB REQUIRED)
target_link_libraries(quiver PRIVATE ZLIB::ZLIB)
