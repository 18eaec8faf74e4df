#include "lvsi/io/image_io.h"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkNrrdImageIO.h>

#include <signal.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include <cmath>
#include <filesystem>
#include <limits>
#include <thread>
#include <vector>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "test_util.h"

namespace lvsi::io {
namespace {
namespace fs = std::filesystem;

Image MakeImage() {
  Geometry g;
  g.size = {7, 6, 5};
  g.spacing = {0.5, 0.75, 2.5};
  g.origin = {-12.5, 30.25, 7.0};
  const double c = std::cos(0.2), s = std::sin(0.2);
  g.direction = {c, 0, s, 0, 1, 0, -s, 0, c};
  Image img(g);
  for (std::size_t n = 0; n < img.size(); ++n) img[n] = static_cast<double>((n * 37) % 251) - 100.0;
  return img;
}

void ExpectSameGeometry(const Geometry& a, const Geometry& b, double tol) {
  EXPECT_EQ(a.size, b.size);
  for (int d = 0; d < 3; ++d) {
    EXPECT_NEAR(a.spacing[d], b.spacing[d], tol);
    EXPECT_NEAR(a.origin[d], b.origin[d], tol);
  }
  for (int n = 0; n < 9; ++n) EXPECT_NEAR(a.direction[n], b.direction[n], tol);
}

class RoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTrip, PreservesGeometryAndValues) {
  const Image img = MakeImage();
  const std::string path = testing::ScratchDir("roundtrip_" + std::to_string(std::hash<std::string>{}(GetParam()))) +
                           "/img" + GetParam();
  WriteImage(img, path);
  const Image back = ReadImage(path);
  ExpectSameGeometry(img.geometry(), back.geometry(), 1e-5);
  EXPECT_EQ(img.values(), back.values());
}

INSTANTIATE_TEST_SUITE_P(Formats, RoundTrip,
                         ::testing::Values(".nii", ".nii.gz", ".nrrd", ".mha", ".mhd"));

TEST(ImageIo, DicomSeriesRoundTripAndSeriesSelection) {
  const Image img = MakeImage();
  const std::string dir = testing::ScratchDir("dicom");
  WriteDicomSeries(img, dir + "/a", "first");
  const Image back = ReadImage(dir + "/a");
  ExpectSameGeometry(img.geometry(), back.geometry(), 1e-4);
  EXPECT_EQ(img.values(), back.values());

  // Two series in one folder: reading needs a UID.
  WriteDicomSeries(img, dir + "/b", "second");
  const std::string both = dir + "/both";
  fs::create_directories(both);
  for (const char* sub : {"a", "b"})
    for (const auto& f : fs::directory_iterator(dir + "/" + sub))
      fs::copy_file(f.path(), both + "/" + sub + f.path().filename().string());
  const auto series = ListDicomSeries(both);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].num_files, 5u);
  EXPECT_EQ(series[0].modality, "MR");
  try {
    ReadImage(both);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("2 DICOM series"), std::string::npos) << e.what();
  }
  for (const auto& s : series) {
    ImageReadSettings o;
    o.dicom_series_uid = s.series_uid;
    EXPECT_EQ(ReadImage(both, o).values(), img.values()) << s.description;
  }
  ImageReadSettings bad;
  bad.dicom_series_uid = "1.2.3.4";
  EXPECT_THROW(ReadImage(both, bad), FormatError);
  EXPECT_THROW(ReadImage(testing::ScratchDir("dicom_empty")), FormatError);
}

// GDCM aborts the process on the first file of this folder (the input
// fuzz_rtstruct found): lvsi reads DICOM in a child process, so the abort is
// a FormatError naming the folder, and reading goes on for the next folder,
// from several threads at once.
TEST(ImageIo, DicomReaderCrashIsAnErrorNamingTheFolder) {
  const std::string dir = testing::ScratchDir("dicom_crash");
  fs::create_directories(dir + "/bad");
  fs::copy_file(std::string(LVSI_SOURCE_DIR) + "/tests/fuzz/corpus/rtstruct/gdcm_assert_vr16", dir + "/bad/1.dcm",
                fs::copy_options::overwrite_existing);
  const Image img = MakeImage();
  WriteDicomSeries(img, dir + "/good", "good");
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        try {
          ListDicomSeries(dir + "/bad");
          continue;
        } catch (const FormatError& e) {
          if (e.path() != dir + "/bad" || e.problem().find("SIGABRT") == std::string::npos) continue;
        }
        try {
          ReadImage(dir + "/bad");
          continue;
        } catch (const FormatError& e) {
          if (e.problem().find("SIGABRT") == std::string::npos) continue;
        }
        if (ReadImage(dir + "/good").values() == img.values()) ++ok[t];
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, std::vector<int>(4, 3));
  try {
    ListDicomSeries(dir + "/bad");
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_EQ(e.path(), dir + "/bad");
    EXPECT_NE(e.problem().find("crashed on a file of this folder (SIGABRT"), std::string::npos) << e.what();
  }
  // Idle reader processes killed from outside: the next read starts a new
  // one.
  EXPECT_EQ(ReadImage(dir + "/good").values(), img.values());  // one idle, at least
  std::vector<std::string> killed;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string pid, comm, state, ppid;
    if (!(stat >> pid >> comm >> state >> ppid)) continue;
    if (comm == "(lvsi_dicom_read)" && ppid == std::to_string(getpid()) && kill(std::stoi(pid), SIGKILL) == 0)
      killed.push_back(pid);
  }
  EXPECT_GE(killed.size(), 1u);
  // Until each has ended, all its threads with it (the leader shows as a
  // zombie while ITK's threads still hold its socket).
  auto ended = [](const std::string& pid) {
    std::error_code ec;
    for (const auto& task : fs::directory_iterator("/proc/" + pid + "/task", ec)) {
      std::ifstream stat(task.path() / "stat");
      std::string p, comm, state;
      if ((stat >> p >> comm >> state) && state != "Z" && state != "X") return false;
    }
    return true;
  };
  for (const auto& pid : killed)
    for (int wait = 0; wait < 1000 && !ended(pid); ++wait) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(ReadImage(dir + "/good").values(), img.values());
}

// NIfTI files read on several threads at once (ITK's NIfTI reader is not
// thread-safe; lvsi serialises it): every read succeeds and gives the same
// image.  Without the serialisation this crashed about once in a dozen
// processes.
TEST(ImageIo, NiftiReadsFromSeveralThreads) {
  const std::string source = testing::SharedDir() + "/reference/pyradiomics/brain1_image.nrrd";
  LVSI_SKIP_UNLESS_EXISTS(source);
  const std::string nifti = testing::ScratchDir("nifti_threads") + "/brain1.nii.gz";
  WriteImage(ReadImage(source), nifti);
  for (int round = 0; round < 10; ++round) {
    std::vector<Image> images(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < images.size(); ++t) threads.emplace_back([&, t] { images[t] = ReadImage(nifti); });
    for (auto& t : threads) t.join();
    for (const auto& im : images) {
      ASSERT_EQ(im.size(), images[0].size());
      for (std::size_t n = 0; n < im.size(); n += 97) ASSERT_EQ(im[n], images[0][n]);
    }
  }
}

// ITK's own NRRD reader, as the reference for lvsi's direct one.
Image ReadWithItk(const std::string& path) {
  using ItkImage = itk::Image<double, 3>;
  auto reader = itk::ImageFileReader<ItkImage>::New();
  reader->SetImageIO(itk::NrrdImageIO::New());
  reader->SetFileName(path);
  reader->Update();
  ItkImage* im = reader->GetOutput();
  Geometry g;
  for (unsigned d = 0; d < 3; ++d) {
    g.size[d] = im->GetLargestPossibleRegion().GetSize()[d];
    g.spacing[d] = im->GetSpacing()[d];
    g.origin[d] = im->GetOrigin()[d];
    for (unsigned c = 0; c < 3; ++c) g.direction[3 * d + c] = im->GetDirection()[d][c];
  }
  Image out(g);
  std::copy(im->GetBufferPointer(), im->GetBufferPointer() + out.size(), out.data());
  return out;
}

void ExpectSameAsItk(const std::string& path) {
  SCOPED_TRACE(path);
  const Image mine = ReadImage(path), itk = ReadWithItk(path);
  EXPECT_EQ(mine.geometry().size, itk.geometry().size);
  EXPECT_EQ(mine.geometry().spacing, itk.geometry().spacing);
  EXPECT_EQ(mine.geometry().origin, itk.geometry().origin);
  EXPECT_EQ(mine.geometry().direction, itk.geometry().direction);
  EXPECT_EQ(mine.values(), itk.values());
  EXPECT_EQ(ReadImageInfo(path).geometry.spacing, itk.geometry().spacing);
}

TEST(ImageIo, DirectNrrdReaderEqualsItkOnTheSharedImages) {
  // The shared pyradiomics images and masks (gzip, int16/uint8).
  const std::string dir = testing::SharedDir() + "/reference/pyradiomics";
  LVSI_SKIP_UNLESS_EXISTS(dir);
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".nrrd") {
      ExpectSameAsItk(entry.path().string());
      const LabelImage labels = ReadLabelImage(entry.path().string());
      const Image values = ReadWithItk(entry.path().string());
      for (std::size_t n = 0; n < labels.size(); n += 97) ASSERT_EQ(labels[n], static_cast<std::int32_t>(values[n]));
      ++files;
    }
  EXPECT_GE(files, 6u);
}

TEST(ImageIo, DirectNrrdReaderEqualsItkOnFilesItkWrites) {
  // Files ITK writes: every pixel type, raw and gzip, oblique directions.
  const std::string dir = testing::ScratchDir("nrrd_direct");
  int n = 0;
  for (PixelType type : {PixelType::kFloat64, PixelType::kFloat32, PixelType::kInt16, PixelType::kInt32,
                         PixelType::kUInt8})
    for (bool gzip : {false, true}) {
      Image img = MakeImage();
      for (auto& v : img.values()) v = std::abs(v);
      const std::string path = dir + "/w" + std::to_string(n++) + ".nrrd";
      WriteImage(img, path, {type, gzip});
      ExpectSameAsItk(path);
    }
  // Hand-written headers: big-endian raw data, a RAS space.
  const std::string header =
      "NRRD0004\n# hand-written\ntype: short\ndimension: 3\nspace: right-anterior-superior\nsizes: 3 2 2\n"
      "space directions: (0.5,0.1,0) (-0.1,0.5,0) (0,0,3)\nkinds: domain domain domain\nendian: big\n"
      "encoding: raw\nspace origin: (10,-20,30.5)\n\n";
  std::string data;
  for (int v = -6; v < 6; ++v) {
    const auto u = static_cast<std::uint16_t>(static_cast<std::int16_t>(v * 300));
    data.push_back(static_cast<char>(u >> 8));
    data.push_back(static_cast<char>(u & 0xff));
  }
  {
    std::ofstream out(dir + "/big.nrrd", std::ios::binary);
    out << header << data;
  }
  ExpectSameAsItk(dir + "/big.nrrd");
  EXPECT_EQ(ReadImage(dir + "/big.nrrd")[0], -1800);
  EXPECT_LT(ReadImage(dir + "/big.nrrd").geometry().origin[0], 0);  // RAS x turned to LPS
}

TEST(ImageIo, MissingFileIsIoErrorNamingTheFile) {
  try {
    ReadImage("/nonexistent/t2w.nii.gz");
    FAIL();
  } catch (const FormatError&) {
    FAIL() << "missing file must not be a format error";
  } catch (const IoError& e) {
    EXPECT_EQ(e.path(), "/nonexistent/t2w.nii.gz");
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
  }
}

TEST(ImageIo, UnsupportedFormat) {
  const std::string path = testing::ScratchDir("unsupported") + "/image.png";
  WriteFileAtomically(path, "not really a png");
  try {
    ReadImage(path);
    FAIL();
  } catch (const FormatError& e) {
    // Every reader ITK has was asked; the error names the file and says so.
    EXPECT_NE(std::string(e.what()).find("no image reader recognises this file"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  EXPECT_THROW(ReadImage(testing::ScratchDir("unsupported") + "/absent.png"), IoError);
  EXPECT_THROW(WriteImage(MakeImage(), testing::ScratchDir("unsupported_w") + "/x.jpg"),
               FormatError);
}

// Formats without a fast path are read by ITK's own readers: a legacy VTK
// file (3-D and 2-D), written here as text, and one file of a DICOM series.
TEST(ImageIo, OtherItkFormatsAndSingleDicomFiles) {
  const std::string dir = testing::ScratchDir("other_formats");
  std::string vtk = "# vtk DataFile Version 3.0\nlvsi test\nASCII\nDATASET STRUCTURED_POINTS\n"
                    "DIMENSIONS 4 3 2\nSPACING 0.5 0.75 2\nORIGIN -1 2 3\nPOINT_DATA 24\n"
                    "SCALARS values short 1\nLOOKUP_TABLE default\n";
  for (int n = 0; n < 24; ++n) vtk += std::to_string(n * 7 - 50) + (n % 4 == 3 ? "\n" : " ");
  WriteFileAtomically(dir + "/volume.vtk", vtk);
  EXPECT_EQ(DetectFormat(dir + "/volume.vtk"), ImageFormat::kItk);
  const ImageInfo info = ReadImageInfo(dir + "/volume.vtk");
  EXPECT_EQ(info.pixel_type, "int16");
  EXPECT_EQ(info.geometry.size, (std::array<std::size_t, 3>{4, 3, 2}));
  const Image v = ReadImage(dir + "/volume.vtk");
  EXPECT_EQ(v.geometry().spacing, (std::array<double, 3>{0.5, 0.75, 2}));
  EXPECT_EQ(v.geometry().origin, (std::array<double, 3>{-1, 2, 3}));
  for (std::size_t n = 0; n < v.size(); ++n) EXPECT_EQ(v[n], static_cast<double>(static_cast<int>(n) * 7 - 50)) << n;
  EXPECT_EQ(ReadLabelImage(dir + "/volume.vtk")[5], 5 * 7 - 50);
  // A 2-D image: one slice.
  std::string flat = "# vtk DataFile Version 3.0\nlvsi test\nASCII\nDATASET STRUCTURED_POINTS\n"
                     "DIMENSIONS 3 2 1\nSPACING 1 1 1\nORIGIN 0 0 0\nPOINT_DATA 6\n"
                     "SCALARS values unsigned_char 1\nLOOKUP_TABLE default\n1 2 3\n4 5 6\n";
  WriteFileAtomically(dir + "/slice.vtk", flat);
  const Image s2 = ReadImage(dir + "/slice.vtk");
  EXPECT_EQ(s2.geometry().size, (std::array<std::size_t, 3>{3, 2, 1}));
  EXPECT_EQ(s2.values(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  // One file of a DICOM series is that slice.
  const Image img = MakeImage();
  WriteDicomSeries(img, dir + "/series", "single");
  const Image series = ReadImage(dir + "/series");
  std::vector<std::string> files;
  for (const auto& f : fs::directory_iterator(dir + "/series")) files.push_back(f.path().string());
  ASSERT_EQ(files.size(), 5u);
  std::size_t matched = 0;
  for (const auto& file : files) {
    const Image one = ReadImage(file);
    ASSERT_EQ(one.geometry().size, (std::array<std::size_t, 3>{7, 6, 1})) << file;
    for (std::size_t k = 0; k < 5; ++k) {
      bool same = true;
      for (std::size_t j = 0; j < 6 && same; ++j)
        for (std::size_t i = 0; i < 7 && same; ++i) same = one(i, j, 0) == series(i, j, k);
      matched += same;
    }
  }
  EXPECT_EQ(matched, 5u) << "each file is one slice of the series";
}

TEST(ImageIo, TruncatedAndGarbageFilesAreFormatErrors) {
  const std::string dir = testing::ScratchDir("truncated");
  for (const char* ext : {".nii", ".nrrd", ".mha", ".nii.gz", ".nrrd", ".mha"}) {
    static int n = 0;
    const std::string path = dir + "/img" + std::to_string(n++) + ext;
    WriteImage(MakeImage(), path, {PixelType::kFloat64, n > 3});
    fs::resize_file(path, fs::file_size(path) - 100);
    try {
      ReadImage(path);
      FAIL() << path;
    } catch (const FormatError& e) {
      EXPECT_EQ(e.path(), path);
    }
  }
  const std::string garbage = dir + "/garbage.nii.gz";
  WriteFileAtomically(garbage, "this is not gzip data at all");
  EXPECT_THROW(ReadImage(garbage), FormatError);
}

// In every format: ITK's NIfTI reader turns NaN and infinite floats into 0,
// so lvsi reads them from the file itself.
TEST(ImageIo, NonFiniteVoxelsRejectedUnlessAllowed) {
  Image img = MakeImage();
  img[3] = std::numeric_limits<double>::quiet_NaN();
  img[8] = std::numeric_limits<double>::infinity();
  img[9] = -std::numeric_limits<double>::infinity();
  const std::string dir = testing::ScratchDir("nonfinite");
  for (const std::string name : {"nan.nrrd", "nan.nii.gz", "nan.nii", "nan.mha"})
    for (const PixelType type : {PixelType::kFloat32, PixelType::kFloat64}) {
      const std::string path = dir + "/" + name;
      WriteImage(img, path, {type, true});
      try {
        ReadImage(path);
        ADD_FAILURE() << name << " read without an error";
      } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find(path + ": 3 voxel(s) are NaN or infinite"), std::string::npos) << e.what();
      }
      ImageReadSettings allow;
      allow.allow_non_finite = true;
      const Image back = ReadImage(path, allow);
      EXPECT_TRUE(std::isnan(back[3])) << name;
      EXPECT_EQ(back[8], img[8]) << name;
      EXPECT_EQ(back[9], img[9]) << name;
      EXPECT_EQ(back[10], static_cast<float>(img[10])) << name;
      EXPECT_THROW(ReadLabelImage(path), DataError) << name;
    }
}

// A floating-point label map with a value no 32-bit label can hold is an
// error naming the file (the cast was undefined; found by fuzz_image).
TEST(ImageIo, LabelValuesBeyondInt32AreDataErrors) {
  Image img = MakeImage();
  img[4] = 9.9e27;
  const std::string path = testing::ScratchDir("label_range") + "/labels.nrrd";
  WriteImage(img, path, {PixelType::kFloat32, true});
  try {
    ReadLabelImage(path);
    ADD_FAILURE() << "read";
  } catch (const DataError& e) {
    EXPECT_EQ(e.path(), path);
    EXPECT_NE(std::string(e.what()).find("outside the range of labels"), std::string::npos) << e.what();
  }
}

// A NIfTI header whose orientation holds NaN made ITK abort the process
// (found by fuzz_image): it is a FormatError naming the file.
// A huge one made its SVD loop for ever.  Both are refused first.
TEST(ImageIo, NiftiHeaderWithNonFiniteOrientationIsAFormatError) {
  const std::string path = testing::ScratchDir("nifti_nan_header") + "/x.nii";
  WriteImage(MakeImage(), path, {PixelType::kFloat32, false});
  const std::string good = ReadTextFile(path);
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(), 3e38f})
  for (int reader = 0; reader < 3; ++reader) {
    std::string bytes = good;
    for (std::size_t offset : {256u, 280u, 296u}) std::memcpy(&bytes[offset], &bad, 4);
    WriteFileAtomically(path, bytes);
    try {
      if (reader == 0) ReadImage(path);
      if (reader == 1) ReadLabelImage(path);
      if (reader == 2) ReadImageInfo(path);
      ADD_FAILURE() << "read";
    } catch (const FormatError& e) {
      EXPECT_EQ(e.path(), path);
      EXPECT_NE(std::string(e.what()).find("the NIfTI header's"), std::string::npos) << e.what();  // (not an abort)
    }
  }
}

// A header that claims more than kMaxVoxels is refused before anything is
// allocated, whatever the format.
TEST(ImageIo, HeadersClaimingHugeImagesAreRefused) {
  const std::string dir = testing::ScratchDir("huge_headers");
  for (const std::string encoding : {"raw", "gzip"}) {
    const std::string path = dir + "/huge_" + encoding + ".nrrd";
    WriteFileAtomically(path, "NRRD0004\ntype: short\ndimension: 3\nspace: left-posterior-superior\nsizes: 100000 "
                              "100000 100000\nspace directions: (1,0,0) (0,1,0) (0,0,1)\nkinds: domain domain domain\n"
                              "endian: little\nencoding: " + encoding + "\nspace origin: (0,0,0)\n\nxx");
    try {
      ReadImage(path);
      ADD_FAILURE() << path;
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find("limit of 2^31"), std::string::npos) << e.what();
      EXPECT_EQ(e.path(), path);
    }
    EXPECT_THROW(ReadLabelImage(path), FormatError);
  }
}

TEST(ImageIo, FailedWriteKeepsExistingFile) {
  const std::string dir = testing::ScratchDir("keep");
  const std::string path = dir + "/img.nrrd";
  WriteImage(MakeImage(), path);
  const auto before = ReadTextFile(path);
  EXPECT_THROW(WriteImage(MakeImage(), dir + "/nofolder/img.nrrd"), IoError);
  EXPECT_EQ(ReadTextFile(path), before);
  for (const auto& f : fs::directory_iterator(dir))
    EXPECT_EQ(f.path().filename().string().rfind(".tmp", 0), std::string::npos);
}

TEST(ImageIo, ReadsSharedNrrdTestImage) {
  const std::string path = testing::SharedDir() + "/reference/pyradiomics/brain1_image.nrrd";
  LVSI_SKIP_UNLESS_EXISTS(path);
  const Image img = ReadImage(path);
  EXPECT_EQ(img.geometry().size, (std::array<std::size_t, 3>{256, 256, 25}));
}

}  // namespace
}  // namespace lvsi::io
