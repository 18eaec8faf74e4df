// The Python extension `lvsi._lvsi`: images as numpy arrays, the radiomics
// extractor, the statistics, selection and models of the study.  The
// Python package around it (lvsi/) gives pyradiomics' API and the
// exception hierarchy.  Long calls release the GIL.
#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <exception>
#include <optional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <signal.h>

#include "lvsi/core/error.h"
#include "lvsi/core/feature_table.h"
#include "lvsi/core/logging.h"
#include "lvsi/core/parallel.h"
#include "lvsi/io/image_io.h"
#include "lvsi/io/table_io.h"
#include "lvsi/models/logistic.h"
#include "lvsi/models/pipeline.h"
#include "lvsi/models/svm.h"
#include "lvsi/io/manifest.h"
#include "lvsi/radiomics/cohort.h"
#include "lvsi/radiomics/extractor.h"
#include "lvsi/radiomics/features.h"
#include "lvsi/radiomics/settings.h"
#include "lvsi/selection/lasso.h"
#include "lvsi/selection/pipeline.h"
#include "lvsi/stats/calibration.h"
#include "lvsi/stats/roc.h"
#include "lvsi/stats/statistics.h"
#include "lvsi/version.h"
#if LVSI_WITH_DEEPFEATURES
#include "lvsi/deepfeatures/resnet.h"
#endif

namespace py = pybind11;
using namespace py::literals;

namespace {

// ---- errors: lvsi's types become lvsi's Python exceptions (lvsi/_errors.py)

void Raise(const char* type, const std::exception& e) {
  const py::object cls = py::module_::import("lvsi._errors").attr(type);
  PyErr_SetString(cls.ptr(), e.what());
}

void TranslateErrors(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const lvsi::OutputError& e) {
    Raise("OutputError", e);
  } catch (const lvsi::FormatError& e) {
    Raise("FormatError", e);
  } catch (const lvsi::ManifestError& e) {
    Raise("ManifestError", e);
  } catch (const lvsi::IoError& e) {
    Raise(e.problem().find("does not exist") != std::string::npos ? "MissingFileError" : "IoError", e);
  } catch (const lvsi::DataError& e) {
    Raise("DataError", e);
  } catch (const lvsi::GeometryError& e) {
    Raise("GeometryError", e);
  } catch (const lvsi::InputError& e) {
    Raise("InputError", e);
  } catch (const lvsi::InvalidArgument& e) {
    Raise("InvalidArgument", e);
  } catch (const lvsi::ModelError& e) {
    Raise("ModelError", e);
  } catch (const lvsi::Interrupted&) {
    PyErr_SetNone(PyExc_KeyboardInterrupt);
  } catch (const lvsi::Error& e) {
    Raise("Error", e);
  }
}

// ---- long calls: the GIL released, Ctrl-C honoured
//
// Long calls run on the calling thread without the GIL.  Python's own
// SIGINT handler only sets a flag for Python code to see, and none runs
// meanwhile, so on Python's main thread lvsi puts a handler of its own in
// place for the call: it asks lvsi's work to stop (lvsi::RequestInterrupt,
// async-signal-safe), which then stops at its next loop item, writing
// nothing half-way.  Afterwards Python's handler is back and the signal is
// raised again, so that Python handles it as it would have:
// KeyboardInterrupt, or the script's own handler.  (A worker thread that
// polled Python's signals instead made extractions slower: 20% in the
// median on two threads, measured against the call made directly.)
namespace interrupt {

std::atomic<bool> g_signalled{false};
int g_depth = 0;  // nested long calls on the main thread (a callback calling lvsi); under the GIL
struct sigaction g_python_handler;

extern "C" void OnSigint(int) {
  g_signalled.store(true);
  lvsi::RequestInterrupt();
}

bool OnMainThread() {
  static const unsigned long main_ident =
      py::module_::import("threading").attr("main_thread")().attr("ident").cast<unsigned long>();
  return PyThread_get_thread_ident() == main_ident;
}

// Installs lvsi's SIGINT handler for a long call, on the main thread and
// when Python handles SIGINT (not when it is ignored or left to the
// default, which ends the process).  Construct and destroy with the GIL.
class Scope {
 public:
  Scope() {
    if (!OnMainThread()) return;
    if (g_depth > 0) return;  // an outer call's handler is in place
    struct sigaction current;
    if (sigaction(SIGINT, nullptr, &current) != 0 || current.sa_handler == SIG_IGN ||
        current.sa_handler == SIG_DFL || (current.sa_flags & SA_SIGINFO))
      return;
    struct sigaction ours {};
    ours.sa_handler = OnSigint;
    ours.sa_flags = SA_RESTART;  // lvsi's reads and writes go on
    sigemptyset(&ours.sa_mask);
    g_python_handler = current;
    g_signalled.store(false);
    if (sigaction(SIGINT, &ours, nullptr) == 0) installed_ = true, ++g_depth;
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  ~Scope() { Restore(); }

  // Puts Python's handler back; true when SIGINT came meanwhile, which is
  // then raised again for Python's handler (and lvsi's request cleared).
  bool Restore() {
    if (!installed_) return false;
    installed_ = false;
    --g_depth;
    sigaction(SIGINT, &g_python_handler, nullptr);
    if (!g_signalled.exchange(false)) return false;
    lvsi::ClearInterrupt();
    raise(SIGINT);
    return true;
  }

 private:
  bool installed_ = false;
};

}  // namespace interrupt

template <class Work>
auto Interruptible(Work work) -> decltype(work()) {
  interrupt::Scope scope;
  std::optional<decltype(work())> result;
  std::exception_ptr error;
  {
    py::gil_scoped_release release;
    try {
      result.emplace(work());
    } catch (...) {
      error = std::current_exception();
    }
  }
  // Python's handler runs now: KeyboardInterrupt, or the script's own
  // handler (if that raises nothing, the call's own outcome stands).
  if (scope.Restore() && PyErr_CheckSignals() != 0) throw py::error_already_set();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

// ---- images: numpy arrays in SimpleITK's (z, y, x) order with geometry

using Tuple3 = std::array<double, 3>;
using Tuple9 = std::array<double, 9>;

lvsi::Geometry GeometryOf(const std::vector<py::ssize_t>& shape, const Tuple3& spacing, const Tuple3& origin,
                          const Tuple9& direction) {
  if (shape.size() != 3 && shape.size() != 2)
    throw lvsi::InvalidArgument("an image array must have 2 or 3 dimensions (z, y, x), not " + std::to_string(shape.size()));
  lvsi::Geometry g;
  const bool flat = shape.size() == 2;
  g.size = {static_cast<std::size_t>(shape[flat ? 1 : 2]), static_cast<std::size_t>(shape[flat ? 0 : 1]),
            flat ? 1 : static_cast<std::size_t>(shape[0])};
  g.spacing = spacing;
  g.origin = origin;
  g.direction = direction;
  std::string why;
  if (!g.IsValid(&why)) throw lvsi::InvalidArgument("image geometry: " + why);
  return g;
}

template <class T>
lvsi::Volume<T> VolumeFromArray(const py::array_t<T, py::array::c_style | py::array::forcecast>& a,
                                const Tuple3& spacing, const Tuple3& origin, const Tuple9& direction) {
  std::vector<py::ssize_t> shape(a.shape(), a.shape() + a.ndim());
  const lvsi::Geometry g = GeometryOf(shape, spacing, origin, direction);
  std::vector<T> data(a.data(), a.data() + a.size());
  return lvsi::Volume<T>(g, std::move(data));
}

// A numpy view of a volume's voxels (no copy); `owner` keeps it alive.
template <class T>
py::array ArrayView(const lvsi::Volume<T>& v, py::handle owner) {
  const auto& s = v.geometry().size;
  return py::array_t<T>({static_cast<py::ssize_t>(s[2]), static_cast<py::ssize_t>(s[1]), static_cast<py::ssize_t>(s[0])},
                        v.data(), owner);
}

template <class T, std::size_t N>
py::tuple AsTuple(const std::array<T, N>& a) {
  py::tuple t(N);
  for (std::size_t i = 0; i < N; ++i) t[i] = a[i];
  return t;
}

template <class T>
void BindVolume(py::module_& m, const char* name, const char* doc) {
  using V = lvsi::Volume<T>;
  py::class_<V>(m, name, doc, py::dynamic_attr())
      .def(py::init(&VolumeFromArray<T>), "array"_a, py::kw_only(), "spacing"_a = Tuple3{1, 1, 1},
           "origin"_a = Tuple3{0, 0, 0}, "direction"_a = Tuple9{1, 0, 0, 0, 1, 0, 0, 0, 1},
           "From a numpy array in SimpleITK's (z, y, x) order (2-D: (y, x)), copied, with its geometry in "
           "(x, y, z): spacing [mm], origin [mm], direction (row-major 3 x 3 cosines).")
      .def_property_readonly("array", [](py::object self) { return ArrayView(self.cast<const V&>(), self); },
                             "The voxels as a numpy array of shape (z, y, x), a view (no copy) that keeps the image alive.")
      .def("__array__", [](py::object self, py::object dtype) {
             py::array a = ArrayView(self.cast<const V&>(), self);
             return dtype.is_none() ? a : a.attr("astype")(dtype).cast<py::array>();
           }, "dtype"_a = py::none())
      .def_property_readonly("size", [](const V& v) { return AsTuple(v.geometry().size); }, "Voxels along (x, y, z), as SimpleITK's GetSize().")
      .def_property_readonly("spacing", [](const V& v) { return AsTuple(v.geometry().spacing); }, "Voxel size along (x, y, z) [mm].")
      .def_property_readonly("origin", [](const V& v) { return AsTuple(v.geometry().origin); }, "Centre of voxel (0, 0, 0) [mm].")
      .def_property_readonly("direction", [](const V& v) { return AsTuple(v.geometry().direction); }, "Direction cosines, row-major.")
      .def("GetSize", [](const V& v) { return AsTuple(v.geometry().size); })
      .def("GetSpacing", [](const V& v) { return AsTuple(v.geometry().spacing); })
      .def("GetOrigin", [](const V& v) { return AsTuple(v.geometry().origin); })
      .def("GetDirection", [](const V& v) { return AsTuple(v.geometry().direction); })
      .def("__repr__", [name](const V& v) {
        const auto& g = v.geometry();
        return std::string("lvsi.") + name + "(size=(" + std::to_string(g.size[0]) + ", " + std::to_string(g.size[1]) +
               ", " + std::to_string(g.size[2]) + "))";
      });
}

// ---- radiomics

py::tuple FeatureLists(const std::vector<std::pair<std::string, double>>& features);

py::tuple Extract(const lvsi::radiomics::FeatureExtractor& parsed, const lvsi::Image* image,
                  const lvsi::LabelImage* labels, const std::string& image_path, const std::string& mask_path,
                  const std::string& pixel_type, bool voxel, bool full_grid, int threads) {
  lvsi::radiomics::FeatureExtractor extractor = parsed;  // (a copy: callers may share `parsed` across threads)
  extractor.set_threads(threads);
  const auto grid = full_grid ? lvsi::radiomics::MapGrid::kImage : lvsi::radiomics::MapGrid::kCropped;
  if (voxel) {
    lvsi::radiomics::VoxelResult r = Interruptible([&] {
      return image ? extractor.ExecuteVoxel(*image, *labels, pixel_type, grid)
                   : extractor.ExecuteVoxelFiles(image_path, mask_path, grid);
    });
    py::list maps;
    for (auto& [name, map] : r.maps) maps.append(py::make_tuple(name, py::cast(std::move(map))));
    return py::make_tuple(r.diagnostics, maps);
  }
  const lvsi::radiomics::ExtractionResult r = Interruptible([&] {
    return image ? extractor.Execute(*image, *labels, pixel_type) : extractor.ExecuteFiles(image_path, mask_path);
  });
  return py::make_tuple(r.diagnostics, FeatureLists(r.features));
}

// The features as two lists, names and values: each value a 0-d float64
// array (pyradiomics' squeezed feature values), made with numpy's C API
// directly (a fifth of the cost of making them from Python, which mattered
// next to a 40 ms extraction).
py::tuple FeatureLists(const std::vector<std::pair<std::string, double>>& features) {
  const auto& api = py::detail::npy_api::get();
  const py::dtype float64 = py::dtype::of<double>();
  const auto n = static_cast<py::ssize_t>(features.size());
  py::list names(n), values(n);
  for (py::ssize_t k = 0; k < n; ++k) {
    const auto& [name, value] = features[static_cast<std::size_t>(k)];
    PyObject* text = PyUnicode_FromStringAndSize(name.data(), static_cast<py::ssize_t>(name.size()));
    if (!text) throw py::error_already_set();
    PyList_SET_ITEM(names.ptr(), k, text);
    Py_INCREF(float64.ptr());  // (PyArray_NewFromDescr takes a reference)
    PyObject* array = api.PyArray_NewFromDescr_(api.PyArray_Type_, float64.ptr(), 0, nullptr, nullptr, nullptr, 0,
                                                nullptr);
    if (!array) throw py::error_already_set();
    *reinterpret_cast<double*>(py::detail::array_proxy(array)->data) = value;
    PyList_SET_ITEM(values.ptr(), k, array);
  }
  return py::make_tuple(std::move(names), std::move(values));
}

// ---- statistics helpers

py::dict AucDict(const lvsi::stats::AucResult& r) {
  return py::dict("auc"_a = r.auc, "variance"_a = r.variance, "ci_low"_a = r.ci_low, "ci_high"_a = r.ci_high);
}

py::dict TestDict(const lvsi::stats::TestResult& r) {
  return py::dict("statistic"_a = r.statistic, "df"_a = r.df, "p"_a = r.p, "note"_a = r.note);
}

py::dict MetricsDict(const lvsi::stats::ClassificationMetrics& m) {
  return py::dict("threshold"_a = m.threshold, "tp"_a = m.tp, "fp"_a = m.fp, "tn"_a = m.tn, "fn"_a = m.fn,
                  "sensitivity"_a = m.sensitivity, "specificity"_a = m.specificity, "accuracy"_a = m.accuracy,
                  "ppv"_a = m.ppv, "npv"_a = m.npv,
                  "sensitivity_ci"_a = py::make_tuple(m.sensitivity_low, m.sensitivity_high),
                  "specificity_ci"_a = py::make_tuple(m.specificity_low, m.specificity_high),
                  "accuracy_ci"_a = py::make_tuple(m.accuracy_low, m.accuracy_high),
                  "ppv_ci"_a = py::make_tuple(m.ppv_low, m.ppv_high), "npv_ci"_a = py::make_tuple(m.npv_low, m.npv_high));
}

lvsi::LogLevel LevelOf(const std::string& name) { return lvsi::ParseLogLevel(name); }

// scikit-learn's methods on a classifier with Train, Predict,
// DecisionValues, PredictProbability (class 1), Save and Load.
template <class Model>
void BindClassifier(py::class_<Model>& c) {
  c.def("fit", [](Model& m, const Eigen::MatrixXd& x, const std::vector<int>& y) -> Model& {
         py::gil_scoped_release r;
         m.Train(x, y);
         return m;
       }, "X"_a, "y"_a, py::return_value_policy::reference_internal, "Trains on rows X and 0/1 labels y; returns self.")
      .def("predict", [](const Model& m, const Eigen::MatrixXd& x) { return m.Predict(x); }, "X"_a)
      .def("decision_function", [](const Model& m, const Eigen::MatrixXd& x) { return m.DecisionValues(x); }, "X"_a,
           "Signed score, positive towards class 1.")
      .def("predict_proba", [](const Model& m, const Eigen::MatrixXd& x) {
             const std::vector<double> p1 = m.PredictProbability(x);
             Eigen::MatrixXd out(static_cast<Eigen::Index>(p1.size()), 2);
             for (std::size_t i = 0; i < p1.size(); ++i) {
               out(static_cast<Eigen::Index>(i), 0) = 1 - p1[i];
               out(static_cast<Eigen::Index>(i), 1) = p1[i];
             }
             return out;
           }, "X"_a, "Probabilities of class 0 and class 1 (columns), as scikit-learn.")
      .def("save", &Model::Save, "path"_a)
      .def_static("load", &Model::Load, "path"_a);
}

// A feature table as Python sees it: ids, columns and a float64 matrix.
py::dict TableDict(const lvsi::FeatureTable& t) {
  return py::dict("ids"_a = t.row_ids(), "columns"_a = t.column_names(), "values"_a = t.values());
}

lvsi::FeatureTable TableOf(const std::vector<std::string>& ids, const std::vector<std::string>& columns,
                           const Eigen::MatrixXd& values) {
  return lvsi::FeatureTable(ids, columns, values);
}

// A table of X's rows (ids "0", "1", ...) and the given column names.
lvsi::FeatureTable TableOf(const Eigen::MatrixXd& x, const std::vector<std::string>& columns) {
  if (static_cast<std::size_t>(x.cols()) != columns.size())
    throw lvsi::InvalidArgument("X has " + std::to_string(x.cols()) + " columns but " + std::to_string(columns.size()) +
                                " names were given");
  std::vector<std::string> ids;
  for (Eigen::Index r = 0; r < x.rows(); ++r) ids.push_back(std::to_string(r));
  return lvsi::FeatureTable(ids, columns, x);
}

// A fitted selection step's verdict: the features kept and why the others went.
py::dict Selected(const lvsi::FeatureTable& kept, const std::vector<lvsi::selection::Removal>& removed) {
  py::list reasons;
  for (const auto& r : removed) reasons.append(py::dict("feature"_a = r.feature, "step"_a = r.step, "reason"_a = r.reason));
  return py::dict("kept"_a = kept.column_names(), "removed"_a = reasons);
}

#if LVSI_WITH_DEEPFEATURES
// A float32 batch [N, 3, S, S] (C order) as ResNet50 takes it.
std::vector<float> Batch(const py::array_t<float, py::array::c_style | py::array::forcecast>& a, int* n, int* size) {
  if (a.ndim() != 4 || a.shape(1) != 3 || a.shape(2) != a.shape(3))
    throw lvsi::InvalidArgument("a batch must be a float32 array of shape (N, 3, S, S)");
  *n = static_cast<int>(a.shape(0));
  *size = static_cast<int>(a.shape(2));
  return std::vector<float>(a.data(), a.data() + a.size());
}
#endif

}  // namespace

PYBIND11_MODULE(_lvsi, m) {
  m.doc() = "lvsi's C++ core (use the lvsi package, not this module)";
  m.attr("__version__") = lvsi::Version();
  m.attr("with_deepfeatures") = static_cast<bool>(LVSI_WITH_DEEPFEATURES);
  py::register_exception_translator(&TranslateErrors);

  BindVolume<double>(m, "Image", "A 3-D image: voxels (float64) and their grid.");
  BindVolume<std::int32_t>(m, "LabelImage", "A 3-D label map (int32) with its grid.");

  // io
  m.def("read_image", [](const std::string& path) {
          lvsi::Image image;
          std::string stored;
          {
            py::gil_scoped_release r;
            stored = lvsi::io::ReadImageInfo(path).pixel_type;
            image = lvsi::io::ReadImage(path);
          }
          py::object o = py::cast(std::move(image));
          o.attr("pixel_type") = stored;
          return o;
        }, "path"_a,
        "Reads an image (NIfTI, NRRD, MetaImage, a DICOM series folder) as float64; its `pixel_type` attribute "
        "names the type the file stores (used by resampling and the image hash, as pyradiomics).");
  m.def("read_label_image", [](const std::string& path, int label_channel) {
          py::gil_scoped_release r;
          lvsi::io::ImageReadSettings s;
          s.component = label_channel;
          return lvsi::io::ReadLabelImage(path, s);
        }, "path"_a, "label_channel"_a = 0, "Reads a label map (a vector mask: its channel `label_channel`).");
  m.def("image_pixel_type", [](const std::string& path) { return lvsi::io::ReadImageInfo(path).pixel_type; }, "path"_a,
        "The voxel type an image file stores (e.g. 'int16'), as SimpleITK names it in pyradiomics' diagnostics.");
  m.def("write_image", [](const lvsi::Image& image, const std::string& path, bool compress) {
          py::gil_scoped_release r;
          lvsi::io::ImageWriteSettings s;
          s.compress = compress;
          lvsi::io::WriteImage(image, path, s);
        }, "image"_a, "path"_a, "compress"_a = true, "Writes an image (format from the extension), atomically.");
  m.def("write_label_image", [](const lvsi::LabelImage& labels, const std::string& path) {
          py::gil_scoped_release r;
          lvsi::io::WriteLabelImage(labels, path);
        }, "labels"_a, "path"_a, "Writes a label map, atomically.");

  // logging
  m.def("_set_log_sink", [](py::object callback) {
    if (callback.is_none()) {
      lvsi::SetLogSink({});
      return;
    }
    auto shared = std::make_shared<py::object>(std::move(callback));
    lvsi::SetLogSink([shared](lvsi::LogLevel level, const std::string& message) {
      if (!Py_IsInitialized()) return;
      py::gil_scoped_acquire gil;
      try {
        (*shared)(static_cast<int>(level), message);
      } catch (py::error_already_set& e) {
        e.discard_as_unraisable("lvsi log sink");
      }
    });
  });
  m.def("_set_log_level", [](const std::string& level) { lvsi::SetLogLevel(LevelOf(level)); });
  m.def("set_threads", &lvsi::SetDefaultThreadCount, "threads"_a,
        "Threads lvsi uses by default (0: every core).");

  // radiomics
  // The parameters parsed and checked once; featureextractor.py keeps one
  // per parameter text.
  py::class_<lvsi::radiomics::FeatureExtractor>(m, "_Extractor")
      .def(py::init([](const std::string& yaml, const std::string& source) {
             return lvsi::radiomics::FeatureExtractor(lvsi::radiomics::ParseParameters(yaml, source));
           }), "yaml"_a, "source"_a);
  m.def("_extract_files", [](const lvsi::radiomics::FeatureExtractor& extractor, const std::string& image_path,
                             const std::string& mask_path, bool voxel, bool full_grid, int threads) {
          return Extract(extractor, nullptr, nullptr, image_path, mask_path, "", voxel, full_grid, threads);
        });
  m.def("_extract", [](const lvsi::radiomics::FeatureExtractor& extractor, const lvsi::Image& image,
                       const lvsi::LabelImage& labels, const std::string& pixel_type, bool voxel, bool full_grid,
                       int threads) {
          return Extract(extractor, &image, &labels, "", "", pixel_type, voxel, full_grid, threads);
        });
  // For bench/bench_python.py: the seconds of the C++ call alone
  // (FeatureExtractor::Execute, timed in C++), in this process.
  m.def("_time_execute", [](const std::string& yaml, const lvsi::Image& image, const lvsi::LabelImage& labels,
                            const std::string& pixel_type, int threads) {
          lvsi::radiomics::FeatureExtractor extractor(lvsi::radiomics::ParseParameters(yaml, "parameters"));
          extractor.set_threads(threads);
          py::gil_scoped_release release;
          const auto t0 = std::chrono::steady_clock::now();
          extractor.Execute(image, labels, pixel_type);
          return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        });
  m.def("_feature_class_names", &lvsi::radiomics::FeatureClassNames,
        "pyradiomics' feature classes in its order (firstorder ... shape2D).");
  m.def("_check_parameters", [](const std::string& yaml, const std::string& source) {
    lvsi::radiomics::FeatureExtractor check(lvsi::radiomics::ParseParameters(yaml, source));
    (void)check;
  });

  // io: feature tables and manifests
  m.def("read_table", [](const std::string& path) { return TableDict(lvsi::io::ReadFeatureTable(path)); }, "path"_a,
        "Reads a feature table (CSV: an id column, then numeric columns) as {'ids', 'columns', 'values'}.");
  m.def("write_table", [](const std::vector<std::string>& ids, const std::vector<std::string>& columns,
                          const Eigen::MatrixXd& values, const std::string& path) {
          lvsi::io::WriteFeatureTable(TableOf(ids, columns, values), path);
        }, "ids"_a, "columns"_a, "values"_a, "path"_a, "Writes a feature table (CSV), atomically.");
  m.def("read_manifest", [](const std::string& path, bool check_files_exist) {
          lvsi::io::ManifestSettings s;
          s.check_files_exist = check_files_exist;
          const lvsi::io::CohortManifest mf = lvsi::io::ReadManifest(path, s);
          py::list cases;
          for (const auto& c : mf.cases) {
            py::dict sequences;
            for (const auto& [name, f] : c.sequences)
              sequences[py::str(name)] = py::dict("image"_a = f.image, "mask"_a = f.mask, "mask_r2"_a = f.mask_r2);
            cases.append(py::dict("case_id"_a = c.case_id, "label"_a = c.label, "split"_a = c.split,
                                  "sequences"_a = sequences, "clinical"_a = c.clinical));
          }
          return py::dict("path"_a = mf.path, "sequences"_a = mf.sequences, "clinical_columns"_a = mf.clinical_columns,
                          "cases"_a = cases);
        }, "path"_a, "check_files_exist"_a = true,
        "Reads a cohort manifest (CSV: case_id, label, [split], <seq>_image, <seq>_mask[, <seq>_mask_r2], clinical "
        "columns); paths come back absolute.");
  m.def("_extract_cohort", [](const std::string& manifest_path, const std::map<std::string, std::string>& yaml_by_sequence,
                              const std::string& out_dir, int threads, py::object progress) {
          std::map<std::string, lvsi::radiomics::ExtractionParameters> params;
          for (const auto& [sequence, yaml] : yaml_by_sequence)
            params[sequence] = lvsi::radiomics::ParseParameters(yaml, "parameters of " + sequence);
          lvsi::radiomics::CohortExtractionSettings s;
          s.output_dir = out_dir;
          s.threads = threads;
          if (!progress.is_none()) {
            auto shared = std::make_shared<py::object>(std::move(progress));
            s.progress = [shared](const lvsi::ProgressEvent& e) {
              py::gil_scoped_acquire gil;
              try {
                (*shared)(e.stage, e.done, e.total, e.item);
              } catch (py::error_already_set& err) {
                err.discard_as_unraisable("lvsi progress callback");
              }
            };
          }
          const lvsi::io::CohortManifest manifest = lvsi::io::ReadManifest(manifest_path);
          const lvsi::radiomics::CohortExtractor extractor(params, s);
          const lvsi::radiomics::CohortExtractionReport r = Interruptible([&] { return extractor.Run(manifest); });
          const lvsi::FeatureTable merged =
              Interruptible([&] { return lvsi::radiomics::CohortExtractor::Merge(manifest, out_dir); });
          return py::dict("cases"_a = r.cases, "extracted"_a = r.extracted, "reused"_a = r.reused, "errors"_a = r.errors,
                          "seconds"_a = r.seconds, "features"_a = TableDict(merged));
        });

  // stats
  auto stats = m.def_submodule("stats", "Statistics as R computes them (pROC, stats, psych).");
  stats.def("roc_curve", [](const std::vector<double>& s, const std::vector<int>& y) {
              std::vector<double> t, se, sp;
              for (const auto& p : lvsi::stats::RocCurve(s, y)) {
                t.push_back(p.threshold);
                se.push_back(p.sensitivity);
                sp.push_back(p.specificity);
              }
              return py::dict("thresholds"_a = t, "sensitivities"_a = se, "specificities"_a = sp);
            }, "scores"_a, "labels"_a, "The empirical ROC curve at pROC's thresholds.");
  stats.def("auc", [](const std::vector<double>& s, const std::vector<int>& y, double level) {
              return AucDict(lvsi::stats::DeLongAuc(s, y, level));
            }, "scores"_a, "labels"_a, "level"_a = 0.95, "AUC with its DeLong variance and confidence interval.");
  stats.def("bootstrap_auc", [](const std::vector<double>& s, const std::vector<int>& y, int replicates, unsigned seed,
                                double level) { return AucDict(lvsi::stats::BootstrapAuc(s, y, replicates, seed, level)); },
            "scores"_a, "labels"_a, "replicates"_a = 2000, "seed"_a = 1, "level"_a = 0.95,
            "AUC with a stratified bootstrap interval.");
  stats.def("delong_test", [](const std::vector<double>& a, const std::vector<double>& b, const std::vector<int>& y) {
              const auto r = lvsi::stats::PairedDeLongTest(a, b, y);
              return py::dict("auc_a"_a = r.auc_a, "auc_b"_a = r.auc_b, "z"_a = r.z, "p"_a = r.p);
            }, "scores_a"_a, "scores_b"_a, "labels"_a, "Paired DeLong test of two scores on the same cases (pROC roc.test).");
  stats.def("delong_test_unpaired", [](const std::vector<double>& a, const std::vector<int>& ya,
                                       const std::vector<double>& b, const std::vector<int>& yb) {
              const auto r = lvsi::stats::UnpairedDeLongTest(a, ya, b, yb);
              return py::dict("auc_a"_a = r.auc_a, "auc_b"_a = r.auc_b, "z"_a = r.z, "p"_a = r.p);
            }, "scores_a"_a, "labels_a"_a, "scores_b"_a, "labels_b"_a, "Unpaired DeLong test of two AUCs.");
  stats.def("youden", [](const std::vector<double>& s, const std::vector<int>& y) {
              return MetricsDict(lvsi::stats::YoudenOptimal(s, y));
            }, "scores"_a, "labels"_a, "The Youden-optimal cut-off and the metrics there, with exact 95% intervals.");
  stats.def("metrics_at", [](const std::vector<double>& s, const std::vector<int>& y, double t) {
              return MetricsDict(lvsi::stats::MetricsAt(s, y, t));
            }, "scores"_a, "labels"_a, "threshold"_a, "Metrics when score > threshold is called positive.");
  stats.def("hosmer_lemeshow", [](const std::vector<double>& p, const std::vector<int>& y, int groups) {
              const auto r = lvsi::stats::HosmerLemeshow(p, y, groups);
              return py::dict("statistic"_a = r.statistic, "df"_a = r.df, "p"_a = r.p);
            }, "probabilities"_a, "labels"_a, "groups"_a = 10, "Hosmer-Lemeshow goodness-of-fit test.");
  stats.def("calibration_curve", [](const std::vector<double>& p, const std::vector<int>& y, int bins, bool quantile) {
              py::list out;
              for (const auto& b : lvsi::stats::CalibrationCurve(p, y, bins, quantile))
                out.append(py::dict("mean_predicted"_a = b.mean_predicted, "observed"_a = b.observed, "count"_a = b.count));
              return out;
            }, "probabilities"_a, "labels"_a, "bins"_a = 10, "quantile_bins"_a = true, "Calibration curve bins.");
  stats.def("calibration_intercept_slope", [](const std::vector<double>& p, const std::vector<int>& y) {
              const auto r = lvsi::stats::CalibrationInterceptSlope(p, y);
              return py::dict("intercept"_a = r.intercept, "slope"_a = r.slope);
            }, "probabilities"_a, "labels"_a, "Calibration intercept and slope (logistic recalibration).");
  stats.def("brier_score", &lvsi::stats::BrierScore, "probabilities"_a, "labels"_a);
  stats.def("net_benefit", [](const std::vector<double>& p, const std::vector<int>& y, const std::vector<double>& t) {
              std::vector<double> model, all;
              for (double x : t) {
                model.push_back(lvsi::stats::NetBenefit(p, y, x));
                all.push_back(lvsi::stats::NetBenefitTreatAll(y, x));
              }
              return py::dict("thresholds"_a = t, "model"_a = model, "treat_all"_a = all);
            }, "probabilities"_a, "labels"_a, "thresholds"_a, "Decision curve: net benefit of the model and of treating all.");
  stats.def("t_test", [](const std::vector<double>& x, const std::vector<double>& y, bool welch) {
              return TestDict(welch ? lvsi::stats::WelchTTest(x, y) : lvsi::stats::StudentTTest(x, y));
            }, "x"_a, "y"_a, "welch"_a = false, "Two-sample t test (Student's, or Welch's).");
  stats.def("mann_whitney", [](const std::vector<double>& x, const std::vector<double>& y, bool exact, bool correct) {
              lvsi::stats::MannWhitneySettings s;
              s.exact = exact;
              s.continuity = correct;
              return TestDict(lvsi::stats::MannWhitneyU(x, y, s));
            }, "x"_a, "y"_a, "exact"_a = false, "correct"_a = true, "Mann-Whitney U (R's wilcox.test).");
  stats.def("chi_square", [](const std::vector<std::vector<double>>& t, bool yates) {
              return TestDict(lvsi::stats::ChiSquareTest(t, yates));
            }, "table"_a, "correct"_a = true, "Chi-square test of a contingency table (R's chisq.test).");
  stats.def("fisher_exact", [](const std::vector<std::vector<long>>& t) {
              lvsi::stats::TestResult r;
              {
                py::gil_scoped_release release;
                r = lvsi::stats::FisherExactTest(t);
              }
              return TestDict(r);
            }, "table"_a, "Fisher's exact test (R's fisher.test).");
  stats.def("bonferroni", &lvsi::stats::BonferroniAdjust, "p"_a);
  stats.def("holm", &lvsi::stats::HolmAdjust, "p"_a);
  stats.def("icc", [](const std::vector<std::vector<double>>& ratings) {
              const auto r = lvsi::stats::IntraclassCorrelation(ratings);
              return py::dict("icc1"_a = r.icc1, "icc2"_a = r.icc2, "icc3"_a = r.icc3, "icc1k"_a = r.icc1k,
                              "icc2k"_a = r.icc2k, "icc3k"_a = r.icc3k,
                              "icc1_ci"_a = py::make_tuple(r.icc1_low, r.icc1_high),
                              "icc2_ci"_a = py::make_tuple(r.icc2_low, r.icc2_high),
                              "icc3_ci"_a = py::make_tuple(r.icc3_low, r.icc3_high));
            }, "ratings"_a, "Intraclass correlations (psych::ICC) of ratings[case][rater].");

  // selection
  auto selection = m.def_submodule("selection", "Feature selection: LASSO logistic regression (glmnet).");
  selection.def("lasso_cv", [](const Eigen::MatrixXd& x, const std::vector<int>& y, int folds, unsigned seed,
                               const std::vector<int>& fold_ids, const std::string& measure, int nlambda) {
                  lvsi::selection::LassoCvSettings s;
                  s.folds = folds;
                  s.seed = seed;
                  s.fold_ids = fold_ids;
                  s.lasso.nlambda = nlambda;
                  if (measure == "auc") s.measure = lvsi::selection::CvMeasure::kAuc;
                  else if (measure == "class") s.measure = lvsi::selection::CvMeasure::kMisclassification;
                  else if (measure != "deviance") throw lvsi::InvalidArgument("measure must be deviance, auc or class");
                  const lvsi::selection::LassoCvResult r =
                      Interruptible([&] { return lvsi::selection::CrossValidateLassoLogistic(x, y, s); });
                  return py::dict("lambda"_a = r.path.lambda, "intercept"_a = r.path.intercept, "beta"_a = r.path.beta,
                                  "cvm"_a = r.cvm, "cvsd"_a = r.cvsd, "fold_ids"_a = r.fold_ids,
                                  "lambda_min"_a = r.lambda_min(), "lambda_1se"_a = r.lambda_1se(),
                                  "index_min"_a = r.index_min, "index_1se"_a = r.index_1se, "converged"_a = r.converged);
                }, "x"_a, "y"_a, "folds"_a = 10, "seed"_a = 1, "fold_ids"_a = std::vector<int>{}, "measure"_a = "deviance",
                "nlambda"_a = 100, "cv.glmnet(family='binomial'): the path, CV means and SEs, lambda.min and lambda.1se.");

#if LVSI_WITH_DEEPFEATURES
  auto deep = m.def_submodule("deepfeatures", "ResNet-50 (torchvision's layout) on LibTorch: features, logits, Grad-CAM.");
  py::class_<lvsi::deepfeatures::ResNet50>(deep, "ResNet50",
      "ResNet-50 with torchvision's layout.  Weights come from a TorchScript export of torchvision's resnet50 "
      "(load_torchvision_weights) or lvsi's own save(); batches are float32 (N, 3, S, S), normalised as torchvision "
      "expects.")
      .def(py::init([](int num_classes, unsigned seed, int threads) {
             lvsi::deepfeatures::ResNetSettings s;
             s.num_classes = num_classes;
             s.seed = seed;
             s.threads = threads;
             return lvsi::deepfeatures::ResNet50(s);
           }), "num_classes"_a = 2, "seed"_a = 1, "threads"_a = 0)
      .def("load_torchvision_weights", [](lvsi::deepfeatures::ResNet50& net, const std::string& path) {
             py::gil_scoped_release r;
             net.LoadTorchvisionWeights(path);
           }, "path"_a)
      .def_property_readonly("pretrained", &lvsi::deepfeatures::ResNet50::pretrained)
      .def("features", [](const lvsi::deepfeatures::ResNet50& net,
                          const py::array_t<float, py::array::c_style | py::array::forcecast>& batch) {
             int n = 0, size = 0;
             const std::vector<float> b = Batch(batch, &n, &size);
             return Interruptible([&] { return net.Features(b, n, size); });
           }, "batch"_a, "The 2048 pooled activations of each image: (N, 2048) float32.")
      .def("logits", [](const lvsi::deepfeatures::ResNet50& net,
                        const py::array_t<float, py::array::c_style | py::array::forcecast>& batch) {
             int n = 0, size = 0;
             const std::vector<float> b = Batch(batch, &n, &size);
             return Interruptible([&] { return net.Logits(b, n, size); });
           }, "batch"_a, "Class scores before softmax: (N, num_classes).")
      .def("grad_cam", [](const lvsi::deepfeatures::ResNet50& net,
                          const py::array_t<float, py::array::c_style | py::array::forcecast>& batch, int target_class,
                          bool normalise) {
             int n = 0, size = 0;
             const std::vector<float> b = Batch(batch, &n, &size);
             const std::vector<Eigen::MatrixXf> maps = Interruptible([&] { return net.GradCam(b, n, target_class, size); });
             py::list out;
             for (const auto& map : maps) out.append(normalise ? lvsi::deepfeatures::NormaliseMap(map) : map);
             return out;
           }, "batch"_a, "target_class"_a, "normalise"_a = true,
           "Grad-CAM on layer4 for `target_class`: one h x w map per image (7 x 7 for 224 px), scaled to [0, 1].")
      .def("save", &lvsi::deepfeatures::ResNet50::Save, "path"_a)
      .def_static("load", [](const std::string& path, int num_classes, int threads) {
             lvsi::deepfeatures::ResNetSettings s;
             s.num_classes = num_classes;
             s.threads = threads;
             return lvsi::deepfeatures::ResNet50::Load(path, s);
           }, "path"_a, "num_classes"_a = 2, "threads"_a = 0)
      .def_property_readonly("parameter_count", &lvsi::deepfeatures::ResNet50::parameter_count);
#endif

  selection.def("mann_whitney_filter", [](const Eigen::MatrixXd& x, const std::vector<int>& y,
                                          const std::vector<std::string>& columns, double alpha) {
                  const lvsi::FeatureTable table = TableOf(x, columns);
                  lvsi::selection::MannWhitneyFilter filter(alpha);
                  std::vector<lvsi::selection::Removal> removed;
                  const lvsi::FeatureTable kept = filter.Fit({table, y}, &removed);
                  py::dict out = Selected(kept, removed);
                  out["p_values"] = filter.p_values();
                  return out;
                }, "X"_a, "y"_a, "columns"_a, "alpha"_a = 0.05,
                "Keeps the features whose Mann-Whitney U test between the classes has p < alpha.");
  selection.def("icc_filter", [](const Eigen::MatrixXd& reader1, const Eigen::MatrixXd& reader2,
                                 const std::vector<std::string>& columns, const std::vector<int>& y, double threshold) {
                  const lvsi::FeatureTable a = TableOf(reader1, columns), b = TableOf(reader2, columns);
                  lvsi::selection::IccFilter filter(threshold);
                  std::vector<lvsi::selection::Removal> removed;
                  const lvsi::FeatureTable kept = filter.Fit({a, y, &b}, &removed);
                  py::dict out = Selected(kept, removed);
                  out["icc"] = filter.icc();
                  return out;
                }, "reader1"_a, "reader2"_a, "columns"_a, "y"_a, "threshold"_a = 0.75,
                "Keeps the features whose ICC(2,1) between two readers' values (same cases, same columns) is at "
                "least `threshold`.");
  selection.def("lasso_path", [](const Eigen::MatrixXd& x, const std::vector<int>& y, const std::vector<double>& lambdas,
                                 int nlambda, bool standardize) {
                  lvsi::selection::LassoSettings s;
                  s.lambda = lambdas;
                  s.nlambda = nlambda;
                  s.standardize = standardize;
                  const lvsi::selection::LassoPath p =
                      Interruptible([&] { return lvsi::selection::FitLassoLogistic(x, y, s); });
                  return py::dict("lambda"_a = p.lambda, "intercept"_a = p.intercept, "beta"_a = p.beta,
                                  "deviance_ratio"_a = p.deviance_ratio, "null_deviance"_a = p.null_deviance,
                                  "converged"_a = p.converged);
                }, "x"_a, "y"_a, "lambdas"_a = std::vector<double>{}, "nlambda"_a = 100, "standardize"_a = true,
                "glmnet(family='binomial'): the LASSO path (beta is features x lambdas).");

  // models
  auto models = m.def_submodule("models", "Classifiers with scikit-learn's method names.");
  py::class_<lvsi::models::SvmClassifier> svc(models, "SVC", "RBF or linear SVM (libsvm) with calibrated probabilities.");
  BindClassifier(svc);
  svc
      .def(py::init([](double c, const std::string& kernel, py::object gamma, bool probability, unsigned seed) {
             lvsi::models::SvmSettings s;
             s.c = c;
             if (kernel == "linear") s.kernel = lvsi::models::SvmKernel::kLinear;
             else if (kernel != "rbf") throw lvsi::InvalidArgument("kernel must be 'rbf' or 'linear'");
             if (!gamma.is_none() && !(py::isinstance<py::str>(gamma) && gamma.cast<std::string>() == "scale"))
               s.gamma = gamma.cast<double>();
             s.probability = probability;
             s.seed = seed;
             return lvsi::models::SvmClassifier(s);
           }), "C"_a = 1.0, "kernel"_a = "rbf", "gamma"_a = "scale", "probability"_a = true, "random_state"_a = 1)
      .def_property_readonly("gamma_", &lvsi::models::SvmClassifier::gamma)
      .def_property_readonly("n_support_vectors_", &lvsi::models::SvmClassifier::support_vectors);
  py::class_<lvsi::models::LogisticRegression> logistic(models, "LogisticRegression", "Binary logistic regression (R's glm).");
  BindClassifier(logistic);
  logistic
      .def(py::init([](double l2) {
             lvsi::models::LogisticSettings s;
             s.l2 = l2;
             return lvsi::models::LogisticRegression(s);
           }), "l2"_a = 0.0)
      .def_property_readonly("intercept_", &lvsi::models::LogisticRegression::intercept)
      .def_property_readonly("deviance_", &lvsi::models::LogisticRegression::deviance)
      .def_property_readonly("coef_", [](const lvsi::models::LogisticRegression& m) { return Eigen::VectorXd(m.coefficients()); });
  py::class_<lvsi::models::TrainedPipeline>(models, "TrainedPipeline",
      "A trained model of the study (selection, scaling, classifier and cut-off) as lvsi_study saves it "
      "(models/<m>.lvsi); applied to a table whose columns are its input features, by name.")
      .def_static("load", &lvsi::models::TrainedPipeline::Load, "path"_a)
      .def("save", &lvsi::models::TrainedPipeline::Save, "path"_a)
      .def("predict_proba", [](const lvsi::models::TrainedPipeline& p, const Eigen::MatrixXd& x,
                               const std::vector<std::string>& columns) {
             return p.PredictProbability(TableOf(x, columns));
           }, "X"_a, "columns"_a, "Probability of class 1 for each row.")
      .def("decision_function", [](const lvsi::models::TrainedPipeline& p, const Eigen::MatrixXd& x,
                                   const std::vector<std::string>& columns) {
             return p.DecisionValues(TableOf(x, columns));
           }, "X"_a, "columns"_a)
      .def("predict", [](const lvsi::models::TrainedPipeline& p, const Eigen::MatrixXd& x,
                         const std::vector<std::string>& columns) { return p.Predict(TableOf(x, columns)); },
           "X"_a, "columns"_a, "1 where the probability is above the pipeline's cut-off.")
      .def_property_readonly("name", &lvsi::models::TrainedPipeline::name)
      .def_property_readonly("threshold", &lvsi::models::TrainedPipeline::threshold)
      .def_property_readonly("input_features", [](const lvsi::models::TrainedPipeline& p) { return p.selection().input_features; })
      .def_property_readonly("selected_features", [](const lvsi::models::TrainedPipeline& p) { return p.selection().selected_features; })
      .def_property_readonly("metadata", [](const lvsi::models::TrainedPipeline& p) { return p.metadata(); });
}
