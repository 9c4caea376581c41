#include "cli/jsonl_records.h"

#include <algorithm>
#include <cstring>
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
  QUIVER_RETURN_IF_ERROR(CheckJsonDepth(line));
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

bool LineReader::Refill() {
  if (chunk_.empty()) chunk_.resize(size_t{1} << 16);
  pos_ = 0;
  end_ = std::fread(chunk_.data(), 1, chunk_.size(), file_);
  return end_ > 0;
}

bool LineReader::Next(std::string_view* line) {
  line_.clear();
  overlong_ = false;
  bool any = false;  // a byte of this line was read
  while (true) {
    if (pos_ == end_ && !Refill()) break;
    any = true;
    const char* start = chunk_.data() + pos_;
    const void* newline = std::memchr(start, '\n', end_ - pos_);
    const size_t n = newline == nullptr
                         ? end_ - pos_
                         : static_cast<size_t>(static_cast<const char*>(newline) - start) + 1;
    pos_ += n;
    bytes_read_ += n;
    if (!overlong_ && line_.size() + n > max_line_bytes_ + 2) overlong_ = true;  // + "\r\n"
    if (!overlong_) {
      if (line_.size() + n > line_.capacity()) {  // grow by doubling, but never past the limit
        line_.reserve(
            std::min(std::max(2 * line_.capacity(), line_.size() + n), max_line_bytes_ + 2));
      }
      line_.append(start, n);
    }
    if (newline != nullptr) break;
  }
  if (!any) return false;
  ++line_number_;
  if (!line_.empty() && line_.back() == '\n') line_.pop_back();
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (line_.size() > max_line_bytes_) overlong_ = true;
  if (overlong_) {
    line_.clear();
    line_.shrink_to_fit();  // an overlong line does not keep its memory for the rest
  }
  *line = line_;
  return true;
}

Status LineReader::OverlongError() const {
  return Status::InvalidArgument(LineTooLongMessage(max_line_bytes_));
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace quiver::cli
