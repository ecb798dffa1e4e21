// Tab-separated example files: `path<TAB>caption[<TAB>language]` (image/text) and
// `text_a<TAB>text_b[<TAB>lang_a<TAB>lang_b]` (text pairs). No header; lines starting with '#'
// are comments; empty lines are passed over; a trailing '\r' is dropped (files from Windows).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datasets/examples.h"
#include "datasets/source_spec.h"
#include "datasets/stream_pipeline.h"

namespace clippo::datasets {

// Readers over spec.paths in order (format "tsv" / "text_pairs_tsv"). A line with the wrong
// number of fields, invalid UTF-8, an empty field, or (image/text) an image file that does not
// exist is one skip naming file and line. A relative image path is resolved against
// spec.image_root, or the tsv's own folder when that is empty.
std::unique_ptr<SourceReader<ImageTextExample>> open_image_text_tsv_reader(const SourceSpec& spec);
std::unique_ptr<SourceReader<TextPairExample>> open_text_pairs_tsv_reader(const SourceSpec& spec);

// Write the examples atomically, one per line, in order. Tabs and line breaks in text become
// spaces and ill-formed UTF-8 becomes U+FFFD, so each example stays one line of the right
// fields. The language column(s) are written when the example has a language. Throws
// InvalidArgument for what cannot be written faithfully: an empty image path or text, a path
// holding a tab or line break, a first field starting with '#' (it would read as a comment);
// Unavailable when the write fails.
void write_image_text_tsv(const std::string& path, const std::vector<ImageTextExample>& examples);
void write_text_pairs_tsv(const std::string& path, const std::vector<TextPairExample>& examples);

}  // namespace clippo::datasets
