target_sources(quiver PRIVATE
  ${PROJECT_SOURCE_DIR}/storage/keys.cc
  ${PROJECT_SOURCE_DIR}/storage/record_codec.cc
  ${PROJECT_SOURCE_DIR}/storage/store.cc)
