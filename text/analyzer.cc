#include "text/analyzer.h"

#include <libstemmer.h>
#include <unicode/brkiter.h>
#include <unicode/bytestream.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>
#include <unicode/uversion.h>

#include <cstddef>
#include <limits>
#include <utility>

#include "text/word_parts.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace quiver::text {
namespace {

using internal::Part;
using internal::Word;
using internal::WordKind;

struct StemmerDeleter {
  void operator()(sb_stemmer* stemmer) const { sb_stemmer_delete(stemmer); }
};
using StemmerPtr = std::unique_ptr<sb_stemmer, StemmerDeleter>;

// ICU's break iterator counts in int32_t: a text is segmented in windows of at most this many
// bytes, cut after a space (a word longer than half a window may be cut in two).
constexpr size_t kWindowBytes = size_t{16} << 20;
// Offsets are uint32_t: bytes past this are not analyzed.
constexpr size_t kMaxTextBytes = std::numeric_limits<uint32_t>::max();
// Scratch buffers larger than this are freed when a workspace goes back to the pool.
constexpr size_t kKeptScratchBytes = size_t{1} << 20;

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

bool IsStemmerName(std::string_view name) {
  for (const char** list = sb_stemmer_list(); *list != nullptr; ++list) {
    if (name == *list) return true;
  }
  return false;
}

// "none, arabic, armenian, ..."
std::string ValidLanguages() {
  std::string out = "none";
  for (const char** list = sb_stemmer_list(); *list != nullptr; ++list) {
    out += ", ";
    out += *list;
  }
  return out;
}

Status IcuError(std::string_view what, UErrorCode code) {
  return Status::NotSupported(std::string(what) + ": ICU reports " + u_errorName(code));
}

// Whether an ICU word break rule status marks a word-like segment, and which kind.
bool WordLike(int32_t rule_status, WordKind* kind) {
  if (rule_status < UBRK_WORD_NONE_LIMIT) return false;
  if (rule_status < UBRK_WORD_NUMBER_LIMIT) {
    *kind = WordKind::kNumber;
  } else if (rule_status < UBRK_WORD_LETTER_LIMIT) {
    *kind = WordKind::kLetter;
  } else {
    *kind = WordKind::kIdeographic;
  }
  return true;
}

bool HasDigit(std::string_view s) {
  if (IsAscii(s)) return s.find_first_of("0123456789") != std::string_view::npos;
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  const auto length = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c >= 0 && u_isdigit(c)) return true;
  }
  return false;
}

// Replaces each U+2019 RIGHT SINGLE QUOTATION MARK with an ASCII apostrophe.
void AsciiApostrophes(std::string* s) {
  constexpr std::string_view kQuote = "\u2019";
  if (s->find(kQuote) == std::string::npos) return;
  std::string out;
  out.reserve(s->size());
  for (size_t i = 0; i < s->size();) {
    if (std::string_view(*s).substr(i, kQuote.size()) == kQuote) {
      out += '\'';
      i += kQuote.size();
    } else {
      out += (*s)[i++];
    }
  }
  s->swap(out);
}

// End of the window that starts at `start`: the text's end, or just after the last ASCII
// space in the second half of the window, or else the last character start in it.
size_t WindowEnd(std::string_view text, size_t start) {
  if (text.size() - start <= kWindowBytes) return text.size();
  const size_t limit = start + kWindowBytes;
  for (size_t i = limit; i > start + kWindowBytes / 2; --i) {
    const char c = text[i - 1];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') return i;
  }
  size_t cut = limit;
  while (cut > limit - 3 && utf8::IsContinuationByte(text[cut])) --cut;
  return cut;
}

// Start of the last character that ends at or before `n` (for cutting possibly invalid text).
size_t CutBefore(std::string_view text, size_t n) {
  size_t cut = n;
  while (cut > 0 && cut > n - 3 && utf8::IsContinuationByte(text[cut])) --cut;
  return cut;
}

}  // namespace

struct Analyzer::Workspace {
  std::unique_ptr<icu::BreakIterator> words;
  const icu::Normalizer2* fold = nullptr;  // ICU's singleton; its methods are thread-safe
  StemmerPtr stemmer;                      // null for "none"
  std::string sanitized;
  std::vector<uint32_t> invalid;
  std::vector<Word> run;
  std::vector<Part> parts;
  std::string folded;
};

// The analysis of one text: windows in order, positions counted across them.
class Analyzer::Run {
 public:
  Run(Workspace* ws, std::vector<Term>* terms) : ws_(ws), terms_(terms) {}

  // Analyzes `window`, which starts at byte `base` of the caller's text.
  void Window(std::string_view window, uint32_t base);

 private:
  // Emits the terms of the identifier in ws_->run (words of `text`) and empties the run.
  void Flush(std::string_view text);
  // `bytes` normalized into `*out`; false when nothing is left.
  bool Fold(std::string_view bytes, std::string* out) const;
  void Stem(std::string* term) const;
  void Emit(const std::string& text, uint32_t position, uint32_t begin, uint32_t end);

  Workspace* const ws_;
  std::vector<Term>* const terms_;
  uint32_t position_ = 0;
  uint32_t base_ = 0;
};

void Analyzer::Run::Window(std::string_view window, uint32_t base) {
  base_ = base;
  std::string_view text = window;
  ws_->invalid.clear();
  if (!utf8::IsValid(window)) {
    ws_->sanitized = utf8::Sanitize(window, &ws_->invalid);
    text = ws_->sanitized;
  }
  UErrorCode status = U_ZERO_ERROR;
  UText utext = UTEXT_INITIALIZER;
  utext_openUTF8(&utext, text.data(), static_cast<int64_t>(text.size()), &status);
  ws_->words->setText(&utext, status);
  if (U_FAILURE(status)) {  // only when out of memory; the window then gives no terms
    utext_close(&utext);
    return;
  }
  icu::BreakIterator& it = *ws_->words;
  std::vector<Word>& run = ws_->run;
  run.clear();
  int32_t begin = it.first();
  for (int32_t end = it.next(); end != icu::BreakIterator::DONE; begin = end, end = it.next()) {
    WordKind kind;
    if (!WordLike(it.getRuleStatus(), &kind)) continue;
    const Word word{static_cast<uint32_t>(begin), static_cast<uint32_t>(end), kind};
    if (!run.empty() &&
        !internal::IsConnectorGap(text.substr(run.back().end, word.begin - run.back().end)))
      Flush(text);
    run.push_back(word);
  }
  Flush(text);
  utext_close(&utext);
}

void Analyzer::Run::Flush(std::string_view text) {
  std::vector<Part>& parts = ws_->parts;
  parts.clear();
  for (const Word& word : ws_->run) internal::SplitWord(text, word, &parts);
  ws_->run.clear();
  std::string& folded = ws_->folded;
  if (parts.size() >= 2) {
    const uint32_t begin = parts.front().begin;
    const uint32_t end = parts.back().end;
    if (Fold(text.substr(begin, end - begin), &folded) && folded.size() <= kMaxTermBytes)
      Emit(folded, position_, begin, end);
  }
  for (const Part& part : parts) {
    if (!Fold(text.substr(part.begin, part.end - part.begin), &folded)) continue;
    if (folded.size() > kMaxTermBytes) continue;
    if (part.kind == WordKind::kLetter) Stem(&folded);
    if (folded.empty() || folded.size() > kMaxTermBytes) continue;
    Emit(folded, position_++, part.begin, part.end);
  }
}

bool Analyzer::Run::Fold(std::string_view bytes, std::string* out) const {
  out->clear();
  if (IsAscii(bytes)) {  // NFKC_Casefold of ASCII is ASCII lower case
    *out = LowerAscii(bytes);
    return !out->empty();
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::StringByteSink<std::string> sink(out);
  ws_->fold->normalizeUTF8(0, icu::StringPiece(bytes.data(), static_cast<int32_t>(bytes.size())),
                           sink, nullptr, status);
  if (U_FAILURE(status)) *out = bytes;  // only when out of memory: the bytes as they are
  AsciiApostrophes(out);
  return !out->empty();
}

// Stems a folded term of a letter word, unless it holds a digit or the language is "none".
void Analyzer::Run::Stem(std::string* term) const {
  if (ws_->stemmer == nullptr || HasDigit(*term)) return;
  sb_stemmer* stemmer = ws_->stemmer.get();
  const sb_symbol* stem = sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(term->data()),
                                          static_cast<int>(term->size()));
  if (stem == nullptr) return;  // only when out of memory: unstemmed
  term->assign(reinterpret_cast<const char*>(stem),
               static_cast<size_t>(sb_stemmer_length(stemmer)));
}

void Analyzer::Run::Emit(const std::string& text, uint32_t position, uint32_t begin, uint32_t end) {
  if (!ws_->invalid.empty()) {
    const utf8::SanitizedOffsetMap map(&ws_->invalid);
    begin = map.ToOriginal(begin);
    end = map.ToOriginal(end);
  }
  terms_->push_back(Term{text, position, base_ + begin, base_ + end});
}

std::string Analyzer::IcuVersion() {
  UVersionInfo version;
  u_getVersion(version);
  char text[U_MAX_VERSION_STRING_LENGTH];
  u_versionToString(version, text);
  return text;
}

Result<std::unique_ptr<Analyzer>> Analyzer::Create(const AnalyzerOptions& options) {
  const std::string name = LowerAscii(options.language);
  if (name != "none" && !IsStemmerName(name)) {
    return Status::InvalidArgument("unknown analyzer language " + util::Quote(options.language) +
                                   ": expected one of " + ValidLanguages());
  }
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<Workspace> reserve, NewWorkspace(name));
  std::unique_ptr<Analyzer> analyzer(new Analyzer(name));
  {
    util::MutexLock lock(&analyzer->reserve_mu_);
    analyzer->reserve_ = std::move(reserve);
  }
  return analyzer;
}

Analyzer::Analyzer(std::string name) : name_(std::move(name)) {}

Analyzer::~Analyzer() = default;

Result<std::unique_ptr<Analyzer::Workspace>> Analyzer::NewWorkspace(const std::string& language) {
  auto ws = std::make_unique<Workspace>();
  UErrorCode status = U_ZERO_ERROR;
  ws->words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || ws->words == nullptr)
    return IcuError("loading the word break rules", status);
  ws->fold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status) || ws->fold == nullptr)
    return IcuError("loading the nfkc_cf normalization data", status);
  if (language != "none") {
    ws->stemmer.reset(sb_stemmer_new(language.c_str(), "UTF_8"));
    if (ws->stemmer == nullptr)
      return Status::NotSupported("cannot create the Snowball stemmer " + util::Quote(language));
  }
  return ws;
}

std::unique_ptr<Analyzer::Workspace> Analyzer::Acquire() const {
  {
    util::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Workspace> ws = std::move(idle_.back());
      idle_.pop_back();
      return ws;
    }
  }
  Result<std::unique_ptr<Workspace>> made = NewWorkspace(name_);
  return made.ok() ? std::move(made).value() : nullptr;
}

void Analyzer::Release(std::unique_ptr<Workspace> ws) const {
  if (ws->sanitized.capacity() > kKeptScratchBytes) std::string().swap(ws->sanitized);
  if (ws->invalid.capacity() * sizeof(uint32_t) > kKeptScratchBytes) {
    std::vector<uint32_t>().swap(ws->invalid);
  }
  if (ws->run.capacity() * sizeof(Word) > kKeptScratchBytes) std::vector<Word>().swap(ws->run);
  if (ws->parts.capacity() * sizeof(Part) > kKeptScratchBytes) std::vector<Part>().swap(ws->parts);
  util::MutexLock lock(&mu_);
  idle_.push_back(std::move(ws));
}

void Analyzer::Analyze(std::string_view text, std::vector<Term>* terms) const {
  terms->clear();
  if (text.size() > kMaxTextBytes) text = text.substr(0, CutBefore(text, kMaxTextBytes));
  const auto analyze = [&](Workspace* ws) {
    Run run(ws, terms);
    for (size_t start = 0; start < text.size();) {
      const size_t end = WindowEnd(text, start);
      run.Window(text.substr(start, end - start), static_cast<uint32_t>(start));
      start = end;
    }
  };
  std::unique_ptr<Workspace> ws = Acquire();
  if (ws == nullptr) {  // out of memory: share the reserve
    util::MutexLock lock(&reserve_mu_);
    analyze(reserve_.get());
    return;
  }
  analyze(ws.get());
  Release(std::move(ws));
}

}  // namespace quiver::text
