#include "ingest/record_readers.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "ingest/csv_values.h"
#include "quiver/limits.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace quiver::ingest {
namespace {

using nlohmann::json;

// ---- Shared helpers -------------------------------------------------------------------------

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsBlank(std::string_view s) { return std::all_of(s.begin(), s.end(), IsAsciiSpace); }

std::string Location(const std::string& path, uint64_t line) {
  return path + ":" + std::to_string(line);
}

// "a, b, c", at most 20 names.
template <typename Names>
std::string NameList(const Names& names) {
  std::string out;
  size_t count = 0;
  for (const auto& name : names) {
    if (count == 20) {
      out += ", ...";
      break;
    }
    if (count++ > 0) out += ", ";
    out += name;
  }
  return count == 0 ? "(none)" : out;
}

// "null", "a number", "an array", ...
std::string TypeWithArticle(const json& j) {
  const std::string name = j.type_name();
  if (j.is_null()) return name;
  return (name[0] == 'a' || name[0] == 'o' ? "an " : "a ") + name;
}

std::string DumpJson(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Collects records, or the first error, honouring skip_bad.
class RecordSink {
 public:
  RecordSink(const ReaderOptions& options, SourceFile* file) : options_(options), file_(file) {}
  // Returns non-OK when the file must fail.
  Status Bad(Status status) {
    if (!options_.skip_bad) return status;
    if (file_->skipped_records++ == 0) file_->first_skip_reason = status.message();
    return Status::OK();
  }

 private:
  const ReaderOptions& options_;
  SourceFile* file_;
};

// ---- JSON Lines -----------------------------------------------------------------------------

// nlohmann's message, without its "[json.exception...] parse error at line 1, " prefix and at
// most ~200 bytes long.
std::string ShortJsonError(const char* what) {
  std::string_view msg = what;
  if (const size_t column = msg.find("column "); column != std::string_view::npos) {
    msg.remove_prefix(column);
  } else if (const size_t bracket = msg.find("] "); bracket != std::string_view::npos) {
    msg.remove_prefix(bracket + 2);
  }
  constexpr size_t kMax = 200;
  if (msg.size() <= kMax) return std::string(msg);
  return std::string(msg.substr(0, utf8::CharBoundaryAtOrBefore(msg, kMax))) + "...";
}

// The id of record `j` (found at `where`): its id field, a non-empty string or a number as
// JSON writes it, or `where` when the field is missing or null. InvalidArgument otherwise.
Status JsonRecordId(const std::string& where, const json& j, const ReaderOptions& options,
                    std::string* id_out) {
  auto id = j.find(options.id_field);
  if (id == j.end() || id->is_null()) {
    *id_out = where;
  } else if (id->is_string()) {
    *id_out = id->get<std::string>();
    if (id_out->empty()) {
      return Status::InvalidArgument(where + ": field " + util::Quote(options.id_field) +
                                     " is an empty string");
    }
  } else if (id->is_number()) {
    *id_out = id->dump();
  } else {
    return Status::InvalidArgument(where + ": field " + util::Quote(options.id_field) + " is " +
                                   TypeWithArticle(*id) + "; expected a string or a number");
  }
  return Status::OK();
}

// The metadata of record `j`: the listed metadata fields it has (copied), or when none are
// listed every field but the id and text fields (moved out of `j`).
json JsonRecordMetadata(json& j, const ReaderOptions& options) {
  json metadata = json::object();
  if (options.metadata_fields.empty()) {
    for (auto& item : j.items()) {
      if (item.key() != options.id_field && item.key() != options.text_field) {
        metadata[item.key()] = std::move(item.value());
      }
    }
  } else {
    for (const std::string& field : options.metadata_fields) {
      if (auto it = j.find(field); it != j.end()) metadata[field] = *it;
    }
  }
  return metadata;
}

// Parses the JSON Lines record on line `line` into `doc`. InvalidArgument "<path>:<line>: ..."
// for invalid JSON, a value that is not an object, a missing or non-string text field or a bad
// id.
Status ParseJsonRecord(const std::string& path, uint64_t line, std::string_view record,
                       const ReaderOptions& options, SourceDocument* doc) {
  const std::string where = Location(path, line);
  if (Status depth = CheckJsonDepth(record); !depth.ok()) {
    return Status::InvalidArgument(where + ": " + depth.message());
  }
  json j;
  try {
    j = json::parse(record);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(where + ": invalid JSON: " + ShortJsonError(e.what()));
  }
  if (!j.is_object()) {
    return Status::InvalidArgument(where + ": expected a JSON object, found " + TypeWithArticle(j));
  }
  auto text = j.find(options.text_field);
  if (text == j.end()) {
    std::vector<std::string> keys;
    for (const auto& item : j.items()) keys.push_back(item.key());
    return Status::InvalidArgument(where + ": no " + util::Quote(options.text_field) +
                                   " field (a string); found keys: " + NameList(keys));
  }
  if (!text->is_string()) {
    return Status::InvalidArgument(where + ": field " + util::Quote(options.text_field) + " is " +
                                   TypeWithArticle(*text) + "; expected a string");
  }
  doc->line = line;
  QUIVER_RETURN_IF_ERROR(JsonRecordId(where, j, options, &doc->id));
  const json metadata = JsonRecordMetadata(j, options);
  doc->text = std::move(text->get_ref<std::string&>());
  doc->metadata_json = DumpJson(metadata);
  return Status::OK();
}

// ---- CSV (RFC 4180) -------------------------------------------------------------------------

class CsvParser {
 public:
  explicit CsvParser(std::string_view s) : s_(s) {}

  struct Record {
    std::vector<std::string> fields;
    uint64_t line = 0;   // where it starts
    size_t bytes = 0;    // its length in the input, line break included
    bool blank = false;  // an empty line
    bool unterminated = false;
  };

  // The next record, or false at the end of the input.
  bool Next(Record* record) {
    if (pos_ >= s_.size()) return false;
    record->fields.clear();
    record->line = line_;
    record->unterminated = false;
    const size_t start = pos_;
    std::string field;
    bool field_start = true;
    while (true) {
      if (pos_ >= s_.size()) {  // the end of the input ends the record
        record->fields.push_back(std::move(field));
        break;
      }
      if (field_start && s_[pos_] == '"') {
        field_start = false;
        if (!ReadQuoted(&field)) {
          record->fields.push_back(std::move(field));
          record->unterminated = true;
          ResumeAfterLine(start, record->line);
          break;
        }
        continue;
      }
      field_start = false;
      ReadUnquoted(&field);
      if (pos_ < s_.size() && Delimit(record, field, field_start)) break;
    }
    record->blank = record->fields.size() == 1 && record->fields[0].empty() &&
                    !record->unterminated && s_[start] != '"';
    record->bytes = pos_ - start;
    return true;
  }

 private:
  // After a quote left open at the end of the input, in the record that starts at byte
  // `start` on line `line`: the next record starts on the following line, so that one stray
  // quote costs one record, not the rest of the file.
  void ResumeAfterLine(size_t start, uint64_t line) {
    const size_t newline = s_.find('\n', start);
    pos_ = newline == std::string_view::npos ? s_.size() : newline + 1;
    line_ = line + 1;
  }

  // Appends unquoted data up to the next ',', CR or LF (or the end of the input).
  void ReadUnquoted(std::string* field) {
    const size_t stop = s_.find_first_of(",\r\n", pos_);
    const size_t end = stop == std::string_view::npos ? s_.size() : stop;
    field->append(s_.substr(pos_, end - pos_));
    pos_ = end;
  }

  // At a ',', CR or LF after field data: a comma ends the field (a new one starts), a line
  // break (LF, CRLF, or CR at the end of the input) ends the field and the record, which
  // returns true; a lone CR is data.
  bool Delimit(Record* record, std::string& field, bool& field_start) {
    const char c = s_[pos_];
    if (c == ',') {
      record->fields.push_back(std::move(field));
      field.clear();
      field_start = true;
      ++pos_;
      return false;
    }
    if (c == '\n') {
      record->fields.push_back(std::move(field));
      ++pos_;
      ++line_;
      return true;
    }
    if (pos_ + 1 == s_.size() || s_[pos_ + 1] == '\n') {  // CRLF, or CR at the end
      record->fields.push_back(std::move(field));
      pos_ = std::min(pos_ + 2, s_.size());
      ++line_;
      return true;
    }
    field.push_back(c);  // a lone CR is data
    ++pos_;
    return false;
  }

  // At an opening quote: appends the field's content up to the closing quote (a doubled quote
  // is one quote). False when the input ends first. Text after the closing quote, up to the
  // delimiter, is then read as unquoted data (lenient).
  bool ReadQuoted(std::string* field) {
    ++pos_;
    while (true) {
      const size_t quote = s_.find('"', pos_);
      const size_t end = quote == std::string_view::npos ? s_.size() : quote;
      const std::string_view chunk = s_.substr(pos_, end - pos_);
      line_ += static_cast<uint64_t>(std::count(chunk.begin(), chunk.end(), '\n'));
      field->append(chunk);
      if (quote == std::string_view::npos) {
        pos_ = s_.size();
        return false;
      }
      pos_ = quote + 1;
      if (pos_ < s_.size() && s_[pos_] == '"') {
        field->push_back('"');
        ++pos_;
        continue;
      }
      return true;
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  uint64_t line_ = 1;
};

std::string TrimAscii(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && IsAsciiSpace(s[b])) ++b;
  while (e > b && IsAsciiSpace(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

// A CSV file's header and the columns its rows are read from.
struct CsvColumns {
  std::vector<std::string> header;  // the names, trimmed
  int text = -1;
  int id = -1;  // -1: no id column
  std::vector<int> metadata;
  std::vector<bool> as_text;  // per column: kept a string (ReaderOptions::text_columns)
};

// Why a CSV record longer than `max_line_bytes` is bad.
std::string CsvTooLong(size_t max_line_bytes) {
  return LineTooLongMessage(max_line_bytes) +
         "; a record whose quoted fields hold line breaks "
         "counts as one line";
}

// The index of column `name` in `header`, or -1.
int ColumnIndex(const std::vector<std::string>& header, const std::string& name) {
  auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? -1 : static_cast<int>(it - header.begin());
}

// Reads the header record `record` into `columns`. InvalidArgument for an unterminated quoted
// field, a non-empty name given twice, or no text column.
Status ParseCsvHeader(const std::string& path, const CsvParser::Record& record,
                      const ReaderOptions& options, size_t max_line_bytes, CsvColumns* columns) {
  if (record.unterminated) {
    return Status::InvalidArgument(Location(path, record.line) +
                                   ": unterminated quoted field in the header");
  }
  if (record.bytes > max_line_bytes) {
    return Status::InvalidArgument(Location(path, record.line) + ": " + CsvTooLong(max_line_bytes));
  }
  std::vector<std::string>& header = columns->header;
  for (const std::string& name : record.fields) header.push_back(TrimAscii(name));
  std::set<std::string> names;
  for (const std::string& name : header) {
    if (!name.empty() && !names.insert(name).second) {
      return Status::InvalidArgument(path + ": column " + util::Quote(name) +
                                     " appears twice in the header");
    }
  }
  columns->text = ColumnIndex(header, options.text_field);
  if (columns->text < 0) {
    return Status::InvalidArgument(path + ": no " + util::Quote(options.text_field) +
                                   " column in the header; columns: " + NameList(header));
  }
  columns->id = ColumnIndex(header, options.id_field);
  columns->as_text.assign(header.size(), false);
  for (const std::string& name : options.text_columns) {
    if (const int i = ColumnIndex(header, name); i >= 0) columns->as_text[i] = true;
  }
  if (options.metadata_fields.empty()) {
    for (int i = 0; i < static_cast<int>(header.size()); ++i) {
      if (i != columns->text && i != columns->id && !header[i].empty()) {
        columns->metadata.push_back(i);
      }
    }
  } else {
    for (const std::string& field : options.metadata_fields) {
      if (const int i = ColumnIndex(header, field); i >= 0) columns->metadata.push_back(i);
    }
  }
  return Status::OK();
}

// Turns the non-blank row `record` into a document appended to `file`, or reports it to `sink`
// (an unterminated quoted field, or a field count other than the header's). Non-OK when the
// file must fail.
Status ReadCsvRow(const std::string& path, CsvParser::Record& record, const CsvColumns& columns,
                  size_t max_line_bytes, RecordSink& sink, SourceFile* file) {
  const std::string where = Location(path, record.line);
  if (record.unterminated) {
    return sink.Bad(Status::InvalidArgument(
        where + ": unterminated quoted field (no closing '\"' before the end of the file)"));
  }
  if (record.bytes > max_line_bytes) {
    return sink.Bad(Status::InvalidArgument(where + ": " + CsvTooLong(max_line_bytes)));
  }
  if (record.fields.size() != columns.header.size()) {
    return sink.Bad(Status::InvalidArgument(
        where + ": row has " + std::to_string(record.fields.size()) + " fields; the header has " +
        std::to_string(columns.header.size())));
  }
  SourceDocument doc;
  doc.line = record.line;
  doc.id =
      columns.id >= 0 && !record.fields[columns.id].empty() ? record.fields[columns.id] : where;
  json metadata = json::object();
  for (int i : columns.metadata) {
    metadata[columns.header[i]] =
        columns.as_text[i] ? json(record.fields[i]) : TypedCsvValue(record.fields[i]);
  }
  doc.metadata_json = DumpJson(metadata);
  doc.text = std::move(record.fields[columns.text]);
  file->documents.push_back(std::move(doc));
  return Status::OK();
}

}  // namespace

void ReadText(const std::string& path, std::string content, SourceFile* file) {
  if (IsBlank(content)) return;
  SourceDocument doc;
  doc.id = path;
  doc.text = std::move(content);
  doc.metadata_json = "{}";
  file->documents.push_back(std::move(doc));
}

Status ReadJsonl(const std::string& path, std::string_view content, const ReaderOptions& options,
                 SourceFile* file, size_t max_line_bytes) {
  RecordSink sink(options, file);
  uint64_t line = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    ++line;
    const size_t newline = content.find('\n', pos);
    const size_t end = newline == std::string_view::npos ? content.size() : newline;
    std::string_view record = content.substr(pos, end - pos);
    pos = newline == std::string_view::npos ? content.size() : newline + 1;
    if (record.ends_with('\r')) record.remove_suffix(1);
    if (record.size() > max_line_bytes) {
      QUIVER_RETURN_IF_ERROR(sink.Bad(Status::InvalidArgument(Location(path, line) + ": " +
                                                              LineTooLongMessage(max_line_bytes))));
      continue;
    }
    if (IsBlank(record)) continue;
    SourceDocument doc;
    Status status = ParseJsonRecord(path, line, record, options, &doc);
    if (!status.ok()) {
      QUIVER_RETURN_IF_ERROR(sink.Bad(std::move(status)));
      continue;
    }
    file->documents.push_back(std::move(doc));
  }
  return Status::OK();
}

Status ReadCsv(const std::string& path, std::string_view content, const ReaderOptions& options,
               SourceFile* file, size_t max_line_bytes) {
  CsvParser parser(content);
  CsvParser::Record record;
  // The header: the first non-blank record.
  bool have_header = false;
  while (parser.Next(&record)) {
    if (!record.blank) {
      have_header = true;
      break;
    }
  }
  if (!have_header) return Status::OK();
  CsvColumns columns;
  QUIVER_RETURN_IF_ERROR(ParseCsvHeader(path, record, options, max_line_bytes, &columns));

  RecordSink sink(options, file);
  while (parser.Next(&record)) {
    if (record.blank) continue;
    QUIVER_RETURN_IF_ERROR(ReadCsvRow(path, record, columns, max_line_bytes, sink, file));
  }
  return Status::OK();
}

}  // namespace quiver::ingest
