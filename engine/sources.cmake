target_sources(quiver PRIVATE
  ${PROJECT_SOURCE_DIR}/engine/db_impl.cc
  ${PROJECT_SOURCE_DIR}/engine/layout.cc
  ${PROJECT_SOURCE_DIR}/engine/options.cc
  ${PROJECT_SOURCE_DIR}/engine/record_validation.cc
  ${PROJECT_SOURCE_DIR}/engine/status.cc)
