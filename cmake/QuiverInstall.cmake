# Installs the library, its headers and a CMake package so that consumers can write
#   find_package(quiver CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE quiver::quiver)
include(CMakePackageConfigHelpers)

install(TARGETS quiver EXPORT quiverTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/quiver DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS quiver_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/quiver)
install(EXPORT quiverTargets NAMESPACE quiver:: DESTINATION ${config_dir})
configure_package_config_file(cmake/quiverConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/quiverConfig.cmake INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/quiverConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/quiverConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/quiverConfigVersion.cmake
  DESTINATION ${config_dir})
