// Tests of the HDF5 layer: round trips of every element type and shape, groups, attributes, error messages,
// atomic output, compression, and that h5py sees the strings as UTF-8 text.
#include "ttcgames/io/h5.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "scratch_dir.hpp"
#include "ttcgames/core/error.hpp"

namespace fs = std::filesystem;
namespace h5 = ttcg::h5;
using ttcg::InputError;

namespace {

class H5 : public ttcg::test::ScratchDirTest {};

//! Runs `body` and returns the InputError message it throws (fails the test when it throws nothing).
template <class Body>
std::string input_error_message(Body body) {
  try {
    body();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return {};
}

H5D_layout_t layout_of(const h5::Dataset& dataset) {
  h5::Handle dcpl(H5Dget_create_plist(dataset.id()));
  return H5Pget_layout(dcpl.get());
}

int filter_count(const h5::Dataset& dataset) {
  h5::Handle dcpl(H5Dget_create_plist(dataset.id()));
  return H5Pget_nfilters(dcpl.get());
}

TEST_F(H5, NumericRoundTrip1D2D) {
  const std::vector<double> f64 = {1.5, -2.25, 0.0, 1e300, -1e-300, std::numeric_limits<double>::infinity()};
  const std::vector<float> f32 = {1.5f, -2.25f, 0.0f, 3.0e38f, 1.0e-38f, 7.0f};
  const std::vector<std::int32_t> i32 = {
      1, -2, 0, std::numeric_limits<std::int32_t>::max(), std::numeric_limits<std::int32_t>::min(), 42};
  const std::vector<std::int64_t> i64 = {
      1, -2, 0, std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(), 42};
  const std::vector<std::uint8_t> u8 = {0, 1, 2, 127, 128, 255};
  {
    h5::File file = h5::File::create(path("numbers.h5"));
    h5::Group root = file.root();
    root.write("f64", f64, {}, {"f64_0"}, "USD", "doubles");
    root.write("f64_2d", f64, {2, 3}, {"f64_2d_0", "f64_2d_1"}, "USD", "doubles 2x3");
    root.write("f32", f32, {}, {"f32_0"}, "1", "floats");
    root.write("f32_2d", f32, {3, 2}, {"f32_2d_0", "f32_2d_1"}, "1", "floats 3x2");
    root.write("i32", i32, {}, {"i32_0"}, "1", "int32");
    root.write("i32_2d", i32, {2, 3}, {"i32_2d_0", "i32_2d_1"}, "1", "int32 2x3");
    root.write("i64", i64, {}, {"i64_0"}, "token", "int64");
    root.write("i64_2d", i64, {1, 6}, {"i64_2d_0", "i64_2d_1"}, "token", "int64 1x6");
    root.write("u8", u8, {}, {"u8_0"}, "1", "uint8");
    root.write("u8_2d", u8, {6, 1}, {"u8_2d_0", "u8_2d_1"}, "1", "uint8 6x1");
  }
  h5::File file = h5::File::open_read(path("numbers.h5"));
  h5::Group root = file.root();
  h5::Dims dims;
  constexpr hsize_t ANY = h5::ANY;
  EXPECT_EQ(root.read_f64("f64", {6}, &dims), f64);
  EXPECT_EQ(dims, h5::Dims{6});
  EXPECT_EQ(root.read_f64("f64_2d", {ANY, ANY}, &dims), f64);
  EXPECT_EQ(dims, (h5::Dims{2, 3}));
  std::vector<double> f32_as_f64(f32.begin(), f32.end());
  EXPECT_EQ(root.read_f64("f32", {ANY}, &dims), f32_as_f64);
  EXPECT_EQ(root.read_f64("f32_2d", {3, ANY}, &dims), f32_as_f64);
  EXPECT_EQ(dims, (h5::Dims{3, 2}));
  EXPECT_EQ(root.read_i32("i32", {6}, &dims), i32);
  EXPECT_EQ(root.read_i32("i32_2d", {2, 3}, &dims), i32);
  EXPECT_EQ(dims, (h5::Dims{2, 3}));
  EXPECT_EQ(root.read_i64("i64", {ANY}, &dims), i64);
  EXPECT_EQ(root.read_i64("i64_2d", {1, 6}, &dims), i64);
  EXPECT_EQ(dims, (h5::Dims{1, 6}));
  EXPECT_EQ(root.read_u8("u8", {6}, &dims), u8);
  EXPECT_EQ(root.read_u8("u8_2d", {ANY, 1}, &dims), u8);
  EXPECT_EQ(dims, (h5::Dims{6, 1}));
  EXPECT_EQ(root.open_dataset("u8_2d").dims(), (h5::Dims{6, 1}));

  // Integers of any width read as any integer type their values fit (through the HDF5 memory type).
  EXPECT_EQ(root.read_i64("i32", {6}), std::vector<std::int64_t>(i32.begin(), i32.end()));
  EXPECT_EQ(root.read_i64("u8", {6}), std::vector<std::int64_t>(u8.begin(), u8.end()));
  EXPECT_EQ(root.read_i32("u8", {6}), std::vector<std::int32_t>(u8.begin(), u8.end()));
}

TEST_F(H5, ScalarsRoundTrip) {
  {
    h5::File file = h5::File::create(path("scalars.h5"));
    h5::Group root = file.root();
    root.write_scalar("welfare", 0.8125, "USD", "social welfare");
    root.write_scalar("f32", 2.5f, "1", "a float");
    root.write_scalar("i32", std::int32_t{-7}, "1", "an int32");
    root.write_scalar("i64", std::int64_t{1} << 40, "token", "an int64");
    root.write_scalar("u8", std::uint8_t{200}, "1", "a uint8");
    root.write_scalar("winner", std::string("Llama-3.2-1B"), "1", "winning model");
  }
  h5::File file = h5::File::open_read(path("scalars.h5"));
  h5::Group root = file.root();
  h5::Dims dims = {99};
  EXPECT_EQ(root.read_f64("welfare", {}, &dims), std::vector<double>{0.8125});
  EXPECT_TRUE(dims.empty());
  EXPECT_TRUE(root.open_dataset("welfare").dims().empty());
  EXPECT_EQ(root.read_scalar_f64("welfare"), 0.8125);
  EXPECT_EQ(root.read_scalar_f64("f32"), 2.5);
  EXPECT_EQ(root.read_i32("i32", {}), std::vector<std::int32_t>{-7});
  EXPECT_EQ(root.read_scalar_i64("i32"), -7);
  EXPECT_EQ(root.read_scalar_i64("i64"), std::int64_t{1} << 40);
  EXPECT_EQ(root.read_u8("u8", {}), std::vector<std::uint8_t>{200});
  EXPECT_EQ(root.read_scalar_string("winner"), "Llama-3.2-1B");
  EXPECT_EQ(root.read_strings("winner", {}, &dims), std::vector<std::string>{"Llama-3.2-1B"});
  EXPECT_TRUE(dims.empty());
  // A 0-d dataset is not a vector, nor a vector a 0-d dataset.
  EXPECT_THROW(root.read_f64("welfare", {1}), InputError);
  EXPECT_THROW(root.read_f64("welfare", {h5::ANY}), InputError);
}

TEST_F(H5, StringsAreVariableLengthUtf8) {
  const std::vector<std::string> names = {"β-sweep", "Llama-3.2-1B", "", "日本語 ✓", "a\tb", "x"};
  {
    h5::File file = h5::File::create(path("strings.h5"));
    h5::Group root = file.root();
    root.write("names", names, {}, {"names_0"}, "1", "model names");
    root.write("names_2d", names, {3, 2}, {"names_2d_0", "names_2d_1"}, "1", "model names 3x2");
  }
  h5::File file = h5::File::open_read(path("strings.h5"));
  h5::Group root = file.root();
  h5::Dims dims;
  EXPECT_EQ(root.read_strings("names", {h5::ANY}, &dims), names);
  EXPECT_EQ(dims, h5::Dims{6});
  EXPECT_EQ(root.read_strings("names_2d", {3, 2}, &dims), names);
  EXPECT_EQ(dims, (h5::Dims{3, 2}));

  h5::Dataset dataset = root.open_dataset("names");
  h5::Handle type(H5Dget_type(dataset.id()));
  EXPECT_EQ(H5Tget_class(type.get()), H5T_STRING);
  EXPECT_GT(H5Tis_variable_str(type.get()), 0);
  EXPECT_EQ(H5Tget_cset(type.get()), H5T_CSET_UTF8);
}

TEST_F(H5, FixedLengthStringsWrittenByOthersAreRead) {
  {
    h5::File file = h5::File::create(path("fixed.h5"));
    h5::Handle type(H5Tcopy(H5T_C_S1));
    H5Tset_size(type.get(), 4);
    H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
    const hsize_t n = 2;
    h5::Handle space(H5Screate_simple(1, &n, nullptr));
    h5::Handle dataset(H5Dcreate2(file.id(), "fixed", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    const char data[] = {'a', 'b', 'c', 'd', 'x', 'y', '\0', '\0'};
    ASSERT_GE(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
  }
  h5::File file = h5::File::open_read(path("fixed.h5"));
  EXPECT_EQ(file.root().read_strings("fixed", {2}), (std::vector<std::string>{"abcd", "xy"}));
}

TEST_F(H5, EmptyDatasets) {
  {
    h5::File file = h5::File::create(path("empty.h5"));
    h5::Group root = file.root();
    root.write("none", std::vector<double>{}, {}, {"none_0"}, "1", "nothing");
    root.write("no_rows", std::vector<std::int32_t>{}, {0, 3}, {"no_rows_0", "no_rows_1"}, "1", "no rows");
    root.write("no_names", std::vector<std::string>{}, {}, {"no_names_0"}, "1", "no names");
  }
  h5::File file = h5::File::open_read(path("empty.h5"));
  h5::Group root = file.root();
  h5::Dims dims;
  EXPECT_TRUE(root.read_f64("none", {h5::ANY}, &dims).empty());
  EXPECT_EQ(dims, h5::Dims{0});
  EXPECT_TRUE(root.read_i32("no_rows", {h5::ANY, 3}, &dims).empty());
  EXPECT_EQ(dims, (h5::Dims{0, 3}));
  EXPECT_TRUE(root.read_strings("no_names", {0}).empty());
}

TEST_F(H5, NestedGroupsAndList) {
  {
    h5::File file = h5::File::create(path("groups.h5"));
    h5::Group root = file.root();
    h5::Group gsm = root.create_group("market/gsm8k-majority");
    EXPECT_EQ(gsm.path(), "/market/gsm8k-majority");
    root.create_group("market/aime-best-of-n/beta_0");
    root.create_group("curves");
    h5::Group market = root.open_group("market");
    market.write_scalar("count", std::int64_t{2}, "1", "number of markets");
    gsm.write("beta/profile", std::vector<std::int32_t>{1, 2}, {}, {"beta_profile_0"}, "1", "equilibrium levels");
    EXPECT_THROW(root.create_group("market/gsm8k-majority"), InputError);
  }
  h5::File file = h5::File::open_read(path("groups.h5"));
  h5::Group root = file.root();
  EXPECT_EQ(root.path(), "/");
  EXPECT_EQ(root.list(), (std::vector<std::string>{"curves", "market"}));
  EXPECT_EQ(root.open_group("market").list(), (std::vector<std::string>{"aime-best-of-n", "count", "gsm8k-majority"}));
  EXPECT_TRUE(root.open_group("curves").list().empty());
  EXPECT_TRUE(root.exists("market"));
  EXPECT_TRUE(root.exists("market/gsm8k-majority"));
  EXPECT_TRUE(root.exists("/market/aime-best-of-n/beta_0"));
  EXPECT_TRUE(root.exists("market/gsm8k-majority/beta/profile"));
  EXPECT_TRUE(root.open_group("market").exists("count"));
  EXPECT_FALSE(root.exists("market/nope"));
  EXPECT_FALSE(root.exists("nope/deeper/still"));
  EXPECT_FALSE(root.exists("market/count/below_a_dataset"));
  EXPECT_FALSE(root.exists(""));
  EXPECT_EQ(root.open_group("market/gsm8k-majority").read_i32("beta/profile", {2}), (std::vector<std::int32_t>{1, 2}));

  const std::string message = input_error_message([&] { root.open_group("market/nope"); });
  EXPECT_NE(message.find(path("groups.h5")), std::string::npos) << message;
  EXPECT_NE(message.find("/market/nope"), std::string::npos) << message;
  EXPECT_THROW(root.open_group("market/count"), InputError);  // a dataset, not a group
  EXPECT_THROW(root.open_dataset("market"), InputError);      // a group, not a dataset
}

TEST_F(H5, AttributesOfEveryTypeOnGroupsAndDatasets) {
  const std::vector<double> f64s = {0.5, -1.0, 2.0e10};
  const std::vector<std::int64_t> i64s = {1, 0, std::numeric_limits<std::int64_t>::min()};
  const std::vector<std::int32_t> i32s = {1, 0, -3};
  {
    h5::File file = h5::File::create(path("attributes.h5"));
    h5::Group root = file.root();
    h5::Group group = root.create_group("market/β-sweep");
    h5::Dataset dataset =
        group.write("shares", std::vector<double>{0.25, 0.75}, {}, {"shares_0"}, "1", "market shares");
    for (h5::Object* object :
         {static_cast<h5::Object*>(&root), static_cast<h5::Object*>(&group), static_cast<h5::Object*>(&dataset)}) {
      object->write_attribute_string("text", "β-sweep ✓");
      object->write_attribute_f64("f64", 0.1);
      object->write_attribute_i64("i64", -(std::int64_t{1} << 50));
      object->write_attribute_vector_f64("vf64", f64s);
      object->write_attribute_vector_i64("vi64", i64s);
      object->write_attribute_vector_i32("vi32", i32s);
      object->write_attribute_vector_i64("empty", std::vector<std::int64_t>{});
    }
    root.write_attribute_vector_i32("format_version", std::vector<std::int32_t>{1, 0});
    // Setting an attribute again replaces it, even with another type.
    dataset.write_attribute_string("units", "USD");
    group.write_attribute_string("f64", "now a string");
  }
  h5::File file = h5::File::open_read(path("attributes.h5"));
  h5::Group root = file.root();
  h5::Group group = root.open_group("market/β-sweep");
  h5::Dataset dataset = group.open_dataset("shares");
  for (const h5::Object* object : {static_cast<const h5::Object*>(&root), static_cast<const h5::Object*>(&group),
                                   static_cast<const h5::Object*>(&dataset)}) {
    SCOPED_TRACE(object->path());
    EXPECT_EQ(object->read_attribute_string("text"), "β-sweep ✓");
    EXPECT_EQ(object->read_attribute_i64("i64"), -(std::int64_t{1} << 50));
    EXPECT_EQ(object->read_attribute_vector_f64("vf64", h5::ANY), f64s);
    EXPECT_EQ(object->read_attribute_vector_i64("vi64", 3), i64s);
    EXPECT_EQ(object->read_attribute_vector_i32("vi32", 3), i32s);
    EXPECT_EQ(object->read_attribute_vector_i64("vi32", h5::ANY), std::vector<std::int64_t>(i32s.begin(), i32s.end()));
    EXPECT_TRUE(object->read_attribute_vector_i64("empty", h5::ANY).empty());
    EXPECT_TRUE(object->has_attribute("vi32"));
    EXPECT_FALSE(object->has_attribute("missing"));
    // A scalar is not a vector, and a vector of the wrong length is refused.
    EXPECT_THROW(object->read_attribute_vector_i64("i64", h5::ANY), InputError);
    EXPECT_THROW(object->read_attribute_vector_f64("vf64", 2), InputError);
  }
  EXPECT_EQ(root.read_attribute_f64("f64"), 0.1);
  EXPECT_EQ(dataset.read_attribute_f64("f64"), 0.1);
  EXPECT_EQ(group.read_attribute_string("f64"), "now a string");
  EXPECT_EQ(root.read_attribute_vector_i32("format_version", 2), (std::vector<std::int32_t>{1, 0}));
  EXPECT_EQ(dataset.read_attribute_string("units"), "USD");
  EXPECT_EQ(dataset.read_attribute_string("description"), "market shares");
  EXPECT_EQ(dataset.attribute_names(),
            (std::vector<std::string>{"DIMENSION_LIST", "description", "empty", "f64", "i64", "text", "units", "vf64",
                                      "vi32", "vi64"}));  // DIMENSION_LIST: HDF5's dimension scales

  const std::string missing = input_error_message([&] { dataset.read_attribute_string("seed"); });
  EXPECT_NE(missing.find(path("attributes.h5")), std::string::npos) << missing;
  EXPECT_NE(missing.find("/market/β-sweep/shares"), std::string::npos) << missing;
  EXPECT_NE(missing.find("seed"), std::string::npos) << missing;
  EXPECT_THROW(root.read_attribute_f64("text"), InputError);            // string read as a number
  EXPECT_THROW(root.read_attribute_string("f64"), InputError);          // number read as a string
  EXPECT_THROW(root.read_attribute_i64("f64"), InputError);             // floating point read as an integer
  EXPECT_THROW(root.read_attribute_f64("vf64"), InputError);            // a vector read as a scalar
  EXPECT_THROW(root.read_attribute_vector_i32("vi64", 3), InputError);  // INT64_MIN does not fit in int32
  EXPECT_THROW(root.read_attribute_f64("i64"), InputError);             // an integer is not floating-point
}

TEST_F(H5, EveryDatasetHasUnitsAndDescription) {
  {
    h5::File file = h5::File::create(path("units.h5"));
    h5::Group root = file.root();
    root.write("a", std::vector<double>{1.0}, {}, {"a_0"}, "USD", "price");
    root.write("g/b", std::vector<std::int64_t>{1, 2}, {}, {"g_b_0"}, "token", "tokens");
    root.write("g/c", std::vector<std::string>{"x"}, {}, {"g_c_0"}, "1", "names");
    root.write("g/d", std::vector<std::uint8_t>(100000, 1), {}, {"g_d_0"}, "1", "a large mask");
    root.write_scalar("g/e", 1.0f, "s", "seconds");
  }
  h5::File file = h5::File::open_read(path("units.h5"));
  h5::Group root = file.root();
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"a", "USD"}, {"g/b", "token"}, {"g/c", "1"}, {"g/d", "1"}, {"g/e", "s"}};
  for (const auto& [name, units] : expected) {
    h5::Dataset dataset = root.open_dataset(name);
    EXPECT_EQ(dataset.read_attribute_string("units"), units) << name;
    EXPECT_FALSE(dataset.read_attribute_string("description").empty()) << name;
  }
}

TEST_F(H5, MissingFileDatasetAndBadFileThrowWithThePath) {
  const std::string missing_file = path("does_not_exist.h5");
  std::string message = input_error_message([&] { h5::File::open_read(missing_file); });
  EXPECT_NE(message.find(missing_file), std::string::npos) << message;

  const std::string not_hdf5 = path("text.h5");
  std::ofstream(not_hdf5) << "not an HDF5 file\n";
  message = input_error_message([&] { h5::File::open_read(not_hdf5); });
  EXPECT_NE(message.find(not_hdf5), std::string::npos) << message;

  const std::string no_directory = path("no/such/dir/out.h5");
  message = input_error_message([&] { h5::File::create(no_directory); });
  EXPECT_NE(message.find(no_directory), std::string::npos) << message;

  {
    h5::File file = h5::File::create(path("data.h5"));
    file.root().create_group("market");
  }
  h5::File file = h5::File::open_read(path("data.h5"));
  h5::Group market = file.root().open_group("market");
  message = input_error_message([&] { market.read_f64("welfare", {}); });
  EXPECT_NE(message.find(path("data.h5")), std::string::npos) << message;
  EXPECT_NE(message.find("/market/welfare"), std::string::npos) << message;
  EXPECT_THROW(market.read_strings("welfare", {}), InputError);
  EXPECT_THROW(market.open_dataset("welfare"), InputError);
}

TEST_F(H5, FailuresPrintNothing) {
  ::testing::internal::CaptureStderr();
  EXPECT_THROW(h5::File::open_read(path("missing.h5")), InputError);
  {
    h5::File file = h5::File::create(path("quiet.h5"));
    EXPECT_THROW(file.root().read_f64("nope", {}), InputError);
    EXPECT_THROW(file.root().open_group("nope"), InputError);
    EXPECT_FALSE(file.root().exists("a/b/c"));
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST_F(H5, TypeAndShapeMismatches) {
  h5::File file = h5::File::create(path("types.h5"));
  h5::Group root = file.root();
  root.write("names", std::vector<std::string>{"a", "b"}, {}, {"names_0"}, "1", "names");
  root.write("reals", std::vector<double>{0.5, 1.5}, {}, {"reals_0"}, "1", "reals");
  root.write("big", std::vector<std::int64_t>{1, std::int64_t{1} << 40}, {}, {"big_0"}, "1", "too big for int32");
  root.write("negative", std::vector<std::int32_t>{0, -1}, {}, {"negative_0"}, "1", "negative");
  root.write("wide", std::vector<std::int32_t>{300}, {}, {"wide_0"}, "1", "too big for uint8");

  const std::string message = input_error_message([&] { root.read_f64("names", {2}); });
  EXPECT_NE(message.find(path("types.h5") + ":/names: expected float64[2], found string[2]"), std::string::npos)
      << message;
  EXPECT_THROW(root.read_i64("names", {2}), InputError);
  EXPECT_THROW(root.read_strings("reals", {2}), InputError);
  EXPECT_THROW(root.read_i32("reals", {2}), InputError);
  EXPECT_THROW(root.read_f64("negative", {2}), InputError);  // integers are not floating-point data
  EXPECT_THROW(root.read_i32("big", {2}), InputError);
  EXPECT_EQ(root.read_i64("big", {2}), (std::vector<std::int64_t>{1, std::int64_t{1} << 40}));
  EXPECT_THROW(root.read_u8("negative", {2}), InputError);
  EXPECT_THROW(root.read_u8("wide", {1}), InputError);
  EXPECT_THROW(root.read_scalar_f64("reals"), InputError);
  EXPECT_THROW(root.read_scalar_string("names"), InputError);

  EXPECT_THROW(
      root.write("bad_shape", std::vector<double>{1, 2, 3}, {2, 2}, {"bad_shape_0", "bad_shape_1"}, "1", "wrong dims"),
      std::logic_error);
  EXPECT_FALSE(root.exists("bad_shape"));
  EXPECT_THROW(root.write("reals", std::vector<double>{1.0}, {}, {"reals_0"}, "1", "name taken"), InputError);
}

TEST_F(H5, ReadsCheckKindShapeAndSizeBeforeReading) {
  {
    h5::File file = h5::File::create(path("damaged.h5"));
    h5::Group root = file.root();
    root.write("accuracy", std::vector<std::int32_t>{1, 2, 3, 4, 5}, {}, {"accuracy_0"}, "1",
               "an int32 where float64 belongs");
    root.write("reals", std::vector<double>{0.5, 1.5}, {}, {"reals_0"}, "1", "reals");
    // A dataset claiming 2^40 elements (chunked, nothing written: HDF5 would hand out fill values).
    const hsize_t huge = hsize_t{1} << 40, chunk = 1024;
    h5::Handle space(H5Screate_simple(1, &huge, nullptr));
    h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
    ASSERT_GE(H5Pset_chunk(dcpl.get(), 1, &chunk), 0);
    h5::Handle(H5Dcreate2(file.id(), "huge", H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
    h5::Handle null_space(H5Screate(H5S_NULL));
    h5::Handle(H5Dcreate2(file.id(), "null", H5T_IEEE_F64LE, null_space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    h5::Handle pair(H5Tcreate(H5T_COMPOUND, 16));
    H5Tinsert(pair.get(), "a", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(pair.get(), "b", 8, H5T_NATIVE_DOUBLE);
    const hsize_t two = 2;
    h5::Handle pair_space(H5Screate_simple(1, &two, nullptr));
    h5::Handle(H5Dcreate2(file.id(), "pairs", pair.get(), pair_space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  }
  h5::File file = h5::File::open_read(path("damaged.h5"));
  h5::Group root = file.root();
  const std::string at = path("damaged.h5") + ":/";
  EXPECT_EQ(input_error_message([&] {
              root.read_f64("accuracy", {103, 9});
            }),
            at + "accuracy: expected float64[103,9], found int32[5]");
  EXPECT_EQ(input_error_message([&] {
              root.read_f64("reals", {2, h5::ANY});
            }),
            at + "reals: expected float64[2,*], found float64[2]");
  EXPECT_EQ(input_error_message([&] { root.read_f64("reals", {3}); }),
            at + "reals: expected float64[3], found float64[2]");
  EXPECT_EQ(input_error_message([&] { root.read_scalar_f64("reals"); }),
            at + "reals: expected float64 scalar, found float64[2]");
  EXPECT_EQ(input_error_message([&] { root.read_i64("null", {h5::ANY}); }),
            at + "null: expected int64[*], found float64 with a null dataspace");
  EXPECT_EQ(input_error_message([&] { root.read_f64("pairs", {2}); }),
            at + "pairs: expected float64[2], found compound[2]");
  const std::string huge = input_error_message([&] { root.read_f64("huge", {h5::ANY}); });
  EXPECT_NE(huge.find(at + "huge: float64[1099511627776] is larger than the"), std::string::npos) << huge;
  EXPECT_EQ(root.read_f64("reals", {h5::ANY}), (std::vector<double>{0.5, 1.5}));  // the file still reads
}

TEST_F(H5, SoftAndExternalLinksAreRefusedBeforeTheyAreFollowed) {
  {
    h5::File file = h5::File::create(path("links.h5"));
    h5::Group root = file.root();
    root.create_group("market/real").write_scalar("x", 1.0, "1", "x");
    ASSERT_GE(H5Lcreate_soft("/market/real", file.id(), "market/soft", H5P_DEFAULT, H5P_DEFAULT), 0);
    ASSERT_GE(H5Lcreate_external("/dev/zero", "/", file.id(), "market/external", H5P_DEFAULT, H5P_DEFAULT), 0);
  }
  h5::File file = h5::File::open_read(path("links.h5"));
  h5::Group root = file.root();
  EXPECT_TRUE(root.exists("market/real/x"));
  EXPECT_EQ(input_error_message([&] { root.exists("market/soft/x"); }),
            path("links.h5") + ":/market/soft: is a soft link; the format holds groups and datasets only");
  EXPECT_EQ(input_error_message([&] { root.open_group("market/external"); }),
            path("links.h5") + ":/market/external: is an external link; the format holds groups and datasets only");
  EXPECT_THROW(root.open_group("market").read_scalar_f64("soft/x"), InputError);
}

TEST_F(H5, LargeDatasetsAreChunkedCompressedAndExact) {
  const std::size_t rows = 300, columns = 400;  // 120000 elements > 64 Ki
  std::vector<double> grid(rows * columns);
  for (std::size_t i = 0; i < grid.size(); ++i) grid[i] = 0.001 * static_cast<double>(i) - 1.0 / 3.0;
  std::vector<std::int64_t> counts(h5::LARGE_DATASET_ELEMENTS + 1);
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] = static_cast<std::int64_t>(i * i) - 12345;
  std::vector<std::string> labels(70000);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = "β" + std::to_string(i);
  std::vector<std::int32_t> small(h5::LARGE_DATASET_ELEMENTS, 7);
  {
    h5::File file = h5::File::create(path("large.h5"));
    h5::Group root = file.root();
    root.write("grid", grid, {rows, columns}, {"grid_0", "grid_1"}, "USD", "a large grid");
    root.write("counts", counts, {}, {"counts_0"}, "1", "a large vector");
    root.write("labels", labels, {}, {"labels_0"}, "1", "many strings");
    root.write("small", small, {}, {"small_0"}, "1", "exactly at the threshold");
  }
  h5::File file = h5::File::open_read(path("large.h5"));
  h5::Group root = file.root();
  h5::Dims dims;
  EXPECT_EQ(root.read_f64("grid", {h5::ANY, columns}, &dims), grid);
  EXPECT_EQ(dims, (h5::Dims{rows, columns}));
  EXPECT_EQ(root.read_i64("counts", {counts.size()}), counts);
  EXPECT_EQ(root.read_strings("labels", {labels.size()}), labels);
  EXPECT_EQ(root.read_i32("small", {small.size()}), small);
  for (const char* name : {"grid", "counts", "labels"}) {
    h5::Dataset dataset = root.open_dataset(name);
    EXPECT_EQ(layout_of(dataset), H5D_CHUNKED) << name;
    EXPECT_EQ(filter_count(dataset), 2) << name;  // shuffle + deflate
  }
  EXPECT_EQ(layout_of(root.open_dataset("small")), H5D_CONTIGUOUS);
  EXPECT_LT(H5Dget_storage_size(root.open_dataset("grid").id()), grid.size() * sizeof(double));  // compressed
}

TEST_F(H5, InMemoryFileImageIsACompleteFile) {
  h5::File file = h5::File::create_in_memory("image.h5");
  {
    h5::Group root = file.root();
    root.write_attribute_string("format", "ttcgames-results");
    root.write_scalar("x", 2.0, "1", "a value");
    EXPECT_THROW(file.close_to_image(), std::logic_error);  // the root group is still open
  }
  const std::vector<std::byte> image = file.close_to_image();
  EXPECT_FALSE(fs::exists("image.h5"));  // nothing touched the disk
  const std::string on_disk = path("from_image.h5");
  {
    std::ofstream out(on_disk, std::ios::binary);
    out.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  }
  h5::File back = h5::File::open_read(on_disk);
  EXPECT_EQ(back.root().read_attribute_string("format"), "ttcgames-results");
  EXPECT_EQ(back.root().read_scalar_f64("x"), 2.0);
}

TEST_F(H5, AttributesRefuseArraysThatBelongInDatasets) {
  h5::File file = h5::File::create(path("attributes.h5"));
  h5::Group root = file.root();
  const std::vector<double> many(1000, 1.0);
  EXPECT_THROW(root.write_attribute_vector_f64("many", many), std::logic_error);
  EXPECT_NO_THROW(root.write("many", std::span<const double>(many), {}, {"many_0"}, "1", "as a dataset"));
}

TEST_F(H5, LinkNamesWithDotComponentsAreRefused) {
  h5::File file = h5::File::create(path("links.h5"));
  h5::Group root = file.root();
  for (const char* bad : {"market/..", "market/.", "a//b", ".."}) {
    EXPECT_THROW(root.create_group(bad), std::logic_error) << bad;
    EXPECT_THROW(root.write_scalar(bad, 1.0, "1", "x"), std::logic_error) << bad;
  }
}

TEST_F(H5, ExplicitCloseAndMoves) {
  h5::File file = h5::File::create(path("close.h5"));
  std::optional<h5::Group> group = file.root().create_group("g");
  EXPECT_THROW(file.close(), std::logic_error);  // the group keeps the file open
  h5::Group moved = std::move(*group);
  EXPECT_EQ(moved.path(), "/g");
  group.reset();
  h5::Group assigned = file.root();
  assigned = std::move(moved);
  EXPECT_EQ(assigned.path(), "/g");
  assigned = file.root();  // closes /g
  EXPECT_EQ(assigned.path(), "/");
  EXPECT_THROW(file.close(), std::logic_error);
  { h5::Group gone = std::move(assigned); }
  file.close();
  EXPECT_EQ(h5::File::open_read(path("close.h5")).root().list(), std::vector<std::string>{"g"});

  h5::Handle handle(H5Screate(H5S_SCALAR));
  h5::Handle other = std::move(handle);
  EXPECT_FALSE(handle.valid());
  EXPECT_TRUE(other.valid());
}

TEST_F(H5, H5pyReadsStringsAsUtf8Text) {
  const char* python = "/usr/bin/python3";
  if (!fs::exists(python)) GTEST_SKIP() << python << " not found";
  if (std::system((std::string(python) + " -c 'import h5py' >/dev/null 2>&1").c_str()) != 0)
    GTEST_SKIP() << "h5py is not installed for " << python;
  {
    h5::File file = h5::File::create(path("py.h5"));
    h5::Group root = file.root();
    root.write_attribute_string("format", "ttcgames-results");
    root.write_attribute_vector_i32("format_version", std::vector<std::int32_t>{1, 0});
    root.write("x", std::vector<std::string>{"β-sweep", "Llama-3.2-1B"}, {}, {"x_0"}, "1", "model names");
    root.write_scalar("winner", std::string("β-model"), "1", "auction winner");
    root.write("welfare", std::vector<double>{0.5, 0.25}, {}, {"welfare_0"}, "USD", "welfare per β");
  }
  const std::string script = path("check.py");
  std::ofstream(script) << R"(import sys
import h5py
f = h5py.File(sys.argv[1], 'r')
for name in ('x', 'winner'):
    info = h5py.check_string_dtype(f[name].dtype)
    assert info is not None and info.encoding == 'utf-8', (name, info)
assert list(f['x'].asstr()[()]) == ['β-sweep', 'Llama-3.2-1B'], f['x'].asstr()[()]
assert f['winner'].asstr()[()] == 'β-model'
assert isinstance(f.attrs['format'], str) and f.attrs['format'] == 'ttcgames-results'
assert list(f.attrs['format_version']) == [1, 0]
for name in ('x', 'winner', 'welfare'):
    assert isinstance(f[name].attrs['units'], str), name
    assert isinstance(f[name].attrs['description'], str), name
assert f['welfare'].attrs['units'] == 'USD'
assert list(f['welfare'][()]) == [0.5, 0.25]
)";
  const std::string command = std::string(python) + " '" + script + "' '" + path("py.h5") + "'";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

}  // namespace
