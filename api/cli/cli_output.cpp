#include "api/cli/cli_output.h"

#include <filesystem>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/npy_writer.h"
#include "render/png_codec.h"

namespace clippo::cli {

void write_image_output(const ImageU8& image, const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".png") {
    write_file_atomically(path, render::encode_png(image));
  } else if (ext == ".npy") {
    write_npy(path, "|u1", {image.height, image.width, image.channels}, image.data(), image.size());
  } else {
    throw Error(ErrorCode::kInvalidArgument, "output '" + path + "' must end in .png or .npy");
  }
}

}  // namespace clippo::cli
