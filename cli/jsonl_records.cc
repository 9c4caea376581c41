#include "cli/jsonl_records.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace quiver::cli {
namespace {

using nlohmann::json;

std::string Describe(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return std::string(value.type_name()) + " " + text;
}

Status ReadVector(const json& value, std::vector<float>* out) {
  if (!value.is_array()) {
    return Status::InvalidArgument("\"vector\" must be an array of numbers; found " +
                                   Describe(value));
  }
  out->clear();
  out->reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_number()) {
      return Status::InvalidArgument("\"vector\"[" + std::to_string(i) +
                                     "] must be a number; found " + Describe(value[i]));
    }
    out->push_back(value[i].get<float>());
  }
  return Status::OK();
}

}  // namespace

Status ParseRecordLine(std::string_view line, Record* record) {
  json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Status::InvalidArgument("malformed JSON");
  if (!parsed.is_object()) {
    return Status::InvalidArgument("expected a JSON object; found " + Describe(parsed));
  }
  auto id = parsed.find("id");
  if (id == parsed.end() || !id->is_string()) {
    return Status::InvalidArgument("\"id\" must be a string; found " +
                                   (id == parsed.end() ? std::string("nothing") : Describe(*id)));
  }
  record->id = id->get<std::string>();
  auto vector = parsed.find("vector");
  if (vector == parsed.end()) return Status::InvalidArgument("\"vector\" is missing");
  QUIVER_RETURN_IF_ERROR(ReadVector(*vector, &record->vector));
  record->text.clear();
  if (auto text = parsed.find("text"); text != parsed.end() && !text->is_null()) {
    if (!text->is_string()) {
      return Status::InvalidArgument("\"text\" must be a string; found " + Describe(*text));
    }
    record->text = text->get<std::string>();
  }
  record->metadata.clear();
  if (auto meta = parsed.find("meta"); meta != parsed.end() && !meta->is_null()) {
    if (!meta->is_object()) {
      return Status::InvalidArgument("\"meta\" must be an object; found " + Describe(*meta));
    }
    record->metadata = meta->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return Status::OK();
}

LineReader::~LineReader() { std::free(buffer_); }

bool LineReader::Next(std::string_view* line) {
  ssize_t size = ::getline(&buffer_, &capacity_, file_);
  if (size < 0) return false;
  ++line_number_;
  bytes_read_ += static_cast<uint64_t>(size);
  while (size > 0 && (buffer_[size - 1] == '\n' || buffer_[size - 1] == '\r')) --size;
  *line = std::string_view(buffer_, static_cast<size_t>(size));
  return true;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace quiver::cli
