// Output helpers shared by subcommands: where rendered pixels go, and one-line errors.
#pragma once

#include <string>

#include "core/base/image.h"

namespace clippo::cli {

// Writes an HxWx3 uint8 image to `path`: .png as PNG, .npy as a NumPy uint8 array (H, W, 3).
// Any other extension is InvalidArgument.
void write_image_output(const ImageU8& image, const std::string& path);

}  // namespace clippo::cli
