// A downstream program that uses an installed lvsi through find_package.
#include <lvsi/lvsi.h>

#include <cstdio>
#include <filesystem>

int main() {
  if (lvsi::Version() != LVSI_VERSION_STRING) {
    std::fprintf(stderr, "header/library version mismatch\n");
    return 1;
  }
  lvsi::Geometry g;
  g.size = {4, 4, 2};
  lvsi::Image image(g, 1.0);
  lvsi::Mask mask(g, 0);
  mask(1, 1, 0) = mask(2, 1, 0) = 1;
  const auto dir = std::filesystem::temp_directory_path() / "lvsi_consumer";
  std::filesystem::create_directories(dir);
  lvsi::io::WriteImage(image, (dir / "image.nii.gz").string());
  lvsi::io::WriteMask(mask, (dir / "mask.nii.gz").string());
  const lvsi::Image back = lvsi::io::ReadImage((dir / "image.nii.gz").string());
  const lvsi::Mask m = lvsi::io::ReadMask((dir / "mask.nii.gz").string(), back.geometry());
  lvsi::FeatureTable table;
  table.AppendRow("case1", {{"voxels", static_cast<double>(lvsi::CountVoxels(m))}});
  std::printf("%s", table.ToCsv().c_str());
  if (lvsi::CountVoxels(m) != 2) return 1;
  // DICOM is written by the installed plugin, loaded on this first call,
  // and read by the installed reader process, lvsi_dicom_reader.
  lvsi::io::WriteDicomSeries(image, (dir / "dicom").string());
  if (lvsi::io::ReadImage((dir / "dicom").string()).geometry().size != g.size) return 1;
  std::printf("lvsi consumer OK (lvsi %s)\n", lvsi::Version().c_str());
  return 0;
}
