# The tokenizer module: sentencepiece, Hugging Face tokenizer.json (BPE) and the word tokenizer.
# sentencepiece, PCRE2 and utf8proc have no CMake packages; pkg-config provides imported targets.
# (sentencepiece.pc lists both -lsentencepiece and -lsentencepiece_train.)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SPM REQUIRED IMPORTED_TARGET sentencepiece)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)

target_sources(quiver PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/blob.cc
  ${CMAKE_CURRENT_LIST_DIR}/bpe.cc
  ${CMAKE_CURRENT_LIST_DIR}/hf_components.cc
  ${CMAKE_CURRENT_LIST_DIR}/hf_tokenizer.cc
  ${CMAKE_CURRENT_LIST_DIR}/regex.cc
  ${CMAKE_CURRENT_LIST_DIR}/sentencepiece_tokenizer.cc
  ${CMAKE_CURRENT_LIST_DIR}/tokenizer.cc
  ${CMAKE_CURRENT_LIST_DIR}/utf8.cc
  ${CMAKE_CURRENT_LIST_DIR}/word_tokenizer.cc)
target_link_libraries(quiver PRIVATE PkgConfig::SPM PkgConfig::PCRE2 PkgConfig::UTF8PROC
                      nlohmann_json::nlohmann_json)
