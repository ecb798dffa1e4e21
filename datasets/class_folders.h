// An image classification dataset in the ImageNet folder layout: DIR/<class>/<images>, one
// folder per class (sorted by folder name), images found recursively (.jpg .jpeg .png .webp).
// A class's readable name is its folder name with '_' as spaces, unless DIR/classes.tsv maps
// `folder<TAB>name` (for synset ids such as n01440764 -> "tench").
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace clippo::datasets {

struct ClassFolders {
  std::vector<std::string> class_names;  // readable, in folder order
  std::vector<std::string> folders;      // the folder of each class
  struct Image {
    std::string path;
    size_t label;  // index into class_names
  };
  std::vector<Image> images;  // sorted by class, then path
};

// NotFound when DIR is not a folder; InvalidArgument when it has no class folder with an image.
ClassFolders read_class_folders(const std::string& dir);

}  // namespace clippo::datasets
