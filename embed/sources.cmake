# embed/: embedding models (token table + pooling), training (Eigen) and importers.
file(GLOB quiver_embed_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/embed/*.cc)
target_sources(quiver PRIVATE ${quiver_embed_sources})
target_link_libraries(quiver PRIVATE Eigen3::Eigen)
