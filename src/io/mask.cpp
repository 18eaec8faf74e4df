#include "lvsi/io/mask.h"

#include <set>

#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"

namespace lvsi::io {

std::vector<int> LabelsPresent(const LabelImage& labels) {
  std::set<int> present;
  for (std::size_t n = 0; n < labels.size(); ++n)
    if (labels[n] != 0) present.insert(labels[n]);
  return {present.begin(), present.end()};
}

Mask SelectLabel(const LabelImage& labels, int label, const std::string& source) {
  Mask mask(labels.geometry());
  std::size_t count = 0;
  bool any_nonzero = false;
  for (std::size_t n = 0; n < labels.size(); ++n) {
    any_nonzero |= labels[n] != 0;
    if (labels[n] == label) {
      mask[n] = 1;
      ++count;
    }
  }
  if (!any_nonzero) throw DataError(source, "mask is empty (no non-zero voxel)");
  if (count == 0) {
    std::string list;
    for (int l : LabelsPresent(labels)) list += (list.empty() ? "" : ", ") + std::to_string(l);
    throw DataError(source, "label " + std::to_string(label) +
                                " is not present in the mask (labels present: " + list + ")");
  }
  return mask;
}

LabelImage ResampleLabelsNearest(const LabelImage& labels, const Geometry& target) {
  return ResampleNearest(labels, target);
}

bool MaskSettings::IsValid(std::string* why) const {
  std::string tolerance_why;
  if (!tolerance.IsValid(&tolerance_why)) return Invalid(why, tolerance_why);
  return read.IsValid(why);
}

Mask ReadMask(const std::string& path, const Geometry& image_geometry, const MaskSettings& options) {
  CheckValid(options, "ReadMask");
  LabelImage labels = ReadLabelImage(path, options.read);
  std::string why;
  if (!SameGeometry(labels.geometry(), image_geometry, options.tolerance, &why)) {
    if (!options.resample_to_image)
      throw GeometryError(path, "mask grid does not match the image grid: " + why +
                                    " (mask " + Describe(labels.geometry()) + ", image " +
                                    Describe(image_geometry) +
                                    "); enable resample_to_image to resample the mask");
    Log(LogLevel::kWarning, path + ": mask grid differs from the image grid (" + why +
                                "); resampling the mask by nearest neighbour");
    labels = ResampleLabelsNearest(labels, image_geometry);
  } else {
    // Within tolerance: adopt the image's geometry exactly.
    labels.set_geometry(image_geometry);
  }
  return SelectLabel(labels, options.label, path);
}

}  // namespace lvsi::io
