// Text or not, by content: ingest/text_sniff.h.
#include "ingest/text_sniff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/fixtures/test_util.h"

namespace quiver::ingest {
namespace {

using ::testing::HasSubstr;

TEST(TextSniff, PlainTextOfAnyKindIsText) {
  EXPECT_EQ(NotTextReason(""), "");
  EXPECT_EQ(NotTextReason("GNU GENERAL PUBLIC LICENSE\n   Version 3, 29 June 2007\n"), "");
  EXPECT_EQ(NotTextReason("Title\n=====\n\n.. note:: reStructuredText\n"), "");
  EXPECT_EQ(NotTextReason("#include <stdio.h>\nint main(void) { return 0; }\n"), "");
  EXPECT_EQ(NotTextReason("caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC\n"), "");  // UTF-8
  EXPECT_EQ(NotTextReason("BZh is how this line starts\n"), "") << "not bzip2 without a level";
  // A few bad bytes (Latin-1 in UTF-8 text) are repaired later, not a reason to skip.
  EXPECT_EQ(NotTextReason("na\xEFve text with one Latin-1 byte\n"), "");
  // A multi-byte character cut by the end of the sample does not count against it.
  std::string long_text(kSniffBytes - 1, 'a');
  long_text += "\xC3\xA9 and more";
  EXPECT_EQ(NotTextReason(long_text), "");
}

TEST(TextSniff, BinaryContentIsNamed) {
  EXPECT_EQ(NotTextReason(std::string("\x89PNG\r\n\x1a\n\0\0", 10)), "looks binary (a PNG image)");
  EXPECT_EQ(NotTextReason("\xFF\xD8\xFF\xE0"), "looks binary (a JPEG image)");
  EXPECT_EQ(NotTextReason("%PDF-1.7\n"), "looks binary (a PDF document)");
  EXPECT_EQ(NotTextReason(std::string("\x7F"
                                      "ELF\x02\x01",
                                      6)),
            "looks binary (an ELF executable)");
  EXPECT_EQ(NotTextReason(std::string("\x1F\x8B\x08\0", 4)), "looks binary (gzip data)");
  EXPECT_EQ(NotTextReason(std::string("text\0more", 9)), "looks binary (a NUL byte at offset 4)");
  EXPECT_THAT(NotTextReason("\xFF\xFEh\0i\0"), HasSubstr("UTF-16"));
  std::string noise;
  for (int i = 0; i < 1000; ++i) noise.push_back(static_cast<char>(0x80 + i % 64));
  EXPECT_THAT(NotTextReason(noise), HasSubstr("bytes are not UTF-8"));
}

TEST(TextSniff, FilesAreJudgedByTheirContentGunzippedWhenCompressed) {
  test::TempDir dir;
  test::WriteFile(dir.Sub("COPYING"), "Permission is hereby granted\n");
  EXPECT_EQ(*SniffFile(dir.Sub("COPYING")), "");
  test::WriteFile(dir.Sub("logo.txt"), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(*SniffFile(dir.Sub("logo.txt")), "looks binary (a PNG image)") << "names do not count";
  ASSERT_EQ(std::system(("printf 'changes\\n' > '" + dir.Sub("changelog") + "' && gzip -n '" +
                         dir.Sub("changelog") + "'")
                            .c_str()),
            0);
  EXPECT_EQ(*SniffFile(dir.Sub("changelog.gz")), "");
  test::WriteFile(dir.Sub("fake.gz"), "not gzip at all");
  auto fake = SniffFile(dir.Sub("fake.gz"));
  ASSERT_FALSE(fake.ok());
  EXPECT_TRUE(fake.status().IsCorruption()) << fake.status().ToString();
  EXPECT_TRUE(SniffFile(dir.Sub("absent")).status().IsIOError());
}

}  // namespace
}  // namespace quiver::ingest
