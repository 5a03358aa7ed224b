#!/usr/bin/python3
"""Writes the malformed-input corpus tests/data/bad/ and its MANIFEST.tsv.

Every case is defined once here, next to the outcome the CLI must produce, so that the fixtures and the
manifest cannot drift apart. The output is deterministic (fixed RNG seed, gzip mtime 0), so
re-running this script on an unchanged tree changes nothing; `--check` verifies exactly that.

Usage: scripts/make_bad_corpus.py [--check] [OUTPUT_DIR]   (default tests/data/bad)

Manifest columns (tab-separated, one header line):
  file         path relative to the corpus directory (the CLI runs with the corpus as working
               directory); for kind=flags the command-line arguments after `train`, space-separated.
               Paths under generated/ are not committed: the test creates them at run time
               (a sparse file over 1 GiB, a line over 1 MiB, a config over 1 MiB).
  kind         csv | idx-images | idx-labels | config | session | flags
  exit         the exit code the CLI must return (2 for bad input, 0 for the valid controls)
  expected     a substring the one-line error on stderr must contain (empty for exit 0)
  description  what is wrong with the input
"""
import gzip
import io
import os
import random
import shutil
import struct
import sys
import tempfile

# ---------------------------------------------------------------------------------------------- IDX


def idx_bytes(dimensions, body, data_type=0x08, magic=b"\0\0"):
    header = magic + bytes([data_type, len(dimensions)])
    header += b"".join(struct.pack(">I", size) for size in dimensions)
    return header + bytes(body)


def gzip_bytes(data):
    # mtime=0 and no file name keep the output byte-identical across runs.
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as compressed:
        compressed.write(data)
    return out.getvalue()


VALID_IMAGES = idx_bytes([4, 2, 2], range(0, 64, 4))  # 4 images of 2x2
VALID_LABELS = idx_bytes([4], [0, 1, 0, 1])
TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"


def idx_directory(train_images=VALID_IMAGES, train_labels=VALID_LABELS, test=True, gz=False):
    """The files of one MNIST-style directory; None leaves a file out."""
    suffix = ".gz" if gz else ""
    encode = gzip_bytes if gz else bytes
    files = {}
    if train_images is not None:
        files[TRAIN_IMAGES + suffix] = encode(train_images)
    if train_labels is not None:
        files[TRAIN_LABELS + suffix] = encode(train_labels)
    if test:
        files[TEST_IMAGES + suffix] = encode(VALID_IMAGES)
        files[TEST_LABELS + suffix] = encode(VALID_LABELS)
    return files


def corrupt_deflate(data):
    """A gzip member whose deflate stream has invalid block types in the middle."""
    member = bytearray(gzip_bytes(data))
    # Header is 10 bytes; overwrite the start of the deflate stream with an invalid block type (0b11).
    member[10] = 0xFF
    member[11] = 0xFF
    return bytes(member)


def bad_crc(data):
    member = bytearray(gzip_bytes(data))
    member[-8] ^= 0xFF  # the CRC32 trailer precedes the 4-byte length
    return bytes(member)


def truncated_gzip(data):
    member = gzip_bytes(data)
    return member[: len(member) // 2]


# A random payload long enough that gzip cannot shrink it away, so cutting the gzip file in half really
# cuts into the declared pixels.
NOISY_IMAGES = idx_bytes([4, 16, 16], random.Random(1).randbytes(4 * 16 * 16))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0"


def idx_cases():
    i, l = "idx-images", "idx-labels"
    d = idx_directory
    img = TRAIN_IMAGES
    lab = TRAIN_LABELS
    return [
        ("idx_valid", d(), l, 0, "", "control: 4 images of 2x2 and their labels, both splits, plain"),
        ("idx_valid_gz", d(gz=True), l, 0, "", "control: the same, gzip-compressed"),
        ("idx_wrong_magic", d(train_images=idx_bytes([4, 2, 2], range(16), magic=b"\x01\x02")), i, 2,
         f"idx_wrong_magic/{img}: not an IDX file: it starts with bytes 0x01 0x02",
         "magic number does not start with two zero bytes"),
        ("idx_png_as_images", d(train_images=PNG_SIGNATURE), i, 2,
         f"idx_png_as_images/{img}: not an IDX file: it starts with bytes 0x89 0x50",
         "a PNG file in place of the image file"),
        ("idx_float_type", d(train_images=idx_bytes([4, 2, 2], bytes(64), data_type=0x0D)), i, 2,
         f"idx_float_type/{img}: unsupported IDX data type 0x0d (32-bit float)",
         "valid IDX of 32-bit floats: only unsigned bytes are supported"),
        ("idx_invalid_type", d(train_images=idx_bytes([4, 2, 2], range(16), data_type=0x42)), i, 2,
         f"idx_invalid_type/{img}: not an IDX file: invalid data type byte 0x42",
         "data type byte that IDX does not define"),
        ("idx_too_many_dimensions", d(train_images=idx_bytes([1, 1, 1, 1, 1], [7])), i, 2,
         f"idx_too_many_dimensions/{img}: invalid IDX header: 5 dimensions, expected 1 to 4",
         "5 dimensions"),
        ("idx_zero_dimensions", d(train_images=idx_bytes([], [])), i, 2,
         f"idx_zero_dimensions/{img}: invalid IDX header: 0 dimensions",
         "dimension count byte 0"),
        ("idx_zero_size_dimension", d(train_images=idx_bytes([4, 0, 2], [])), i, 2,
         f"idx_zero_size_dimension/{img}: invalid IDX header: dimension 2 of 3 is 0",
         "a dimension of size 0"),
        ("idx_product_wraps_32bit", d(train_images=idx_bytes([65536, 65536], range(16))), i, 2,
         f"idx_product_wraps_32bit/{img}: refusing an IDX file whose header claims more than 2147483648 "
         "bytes of data (dimensions 1 to 2 alone need 4294967296)",
         "65536 x 65536: the product 2^32 wraps to 0 in 32-bit arithmetic"),
        ("idx_product_wraps_64bit",
         d(train_images=idx_bytes([65536, 65536, 65536, 65536], range(16))), i, 2,
         f"idx_product_wraps_64bit/{img}: refusing an IDX file whose header claims more than",
         "65536^4: the product 2^64 wraps to 0 in 64-bit arithmetic"),
        ("idx_max_dimensions", d(train_images=idx_bytes([0xFFFFFFFF] * 4, range(16))), i, 2,
         f"idx_max_dimensions/{img}: refusing an IDX file whose header claims more than",
         "every dimension 2^32-1"),
        ("idx_truncated_body", d(train_images=idx_bytes([4, 2, 2], range(10))), i, 2,
         f"idx_truncated_body/{img}: truncated: header claims 4 images of 2x2 but the file ends after "
         "26 bytes",
         "header promises 16 pixel bytes, 10 follow"),
        ("idx_truncated_header", d(train_images=idx_bytes([4, 2, 2], [])[:6]), i, 2,
         f"idx_truncated_header/{img}: truncated: the header declares 3 dimensions",
         "file ends inside the dimension sizes"),
        ("idx_empty_images", d(train_images=b""), i, 2,
         f"idx_empty_images/{img}: truncated: an IDX header needs at least 4 bytes",
         "zero-byte image file"),
        ("idx_images_one_dimension", d(train_images=idx_bytes([4], [0, 1, 2, 3])), i, 2,
         f"idx_images_one_dimension/{img}: an image file needs at least 2 dimensions",
         "a label-shaped file in place of the images"),
        ("idx_gz_truncated", {**d(gz=True), img + ".gz": truncated_gzip(NOISY_IMAGES)}, i, 2,
         f"idx_gz_truncated/{img}.gz: truncated: header claims 4 images of 16x16",
         "gzip file cut in half"),
        ("idx_gz_corrupt", {**d(gz=True), img + ".gz": corrupt_deflate(VALID_IMAGES)}, i, 2,
         f"idx_gz_corrupt/{img}.gz: corrupt gzip data", "invalid deflate block type right after the gzip header"),
        ("idx_gz_bad_crc", {**d(gz=True), img + ".gz": bad_crc(VALID_IMAGES)}, i, 2,
         f"idx_gz_bad_crc/{img}.gz: corrupt gzip data: incorrect data check", "intact deflate data, wrong CRC32 in the gzip trailer"),
        ("idx_gz_magic_only", {**d(gz=True), img + ".gz": b"\x1f\x8b"}, i, 2,
         f"idx_gz_magic_only/{img}.gz: truncated: an IDX header needs at least 4 bytes",
         "just the two gzip magic bytes"),
        ("idx_gz_empty", {**d(gz=True), img + ".gz": b""}, i, 2,
         f"idx_gz_empty/{img}.gz: truncated: an IDX header needs at least 4 bytes",
         "zero-byte .gz file"),
        ("idx_count_mismatch", d(train_labels=idx_bytes([3], [0, 1, 0])), l, 2,
         f"idx_count_mismatch/{lab}: image/label count mismatch: it has 3 labels but "
         f"idx_count_mismatch/{img} has 4 images",
         "4 images, 3 labels"),
        ("idx_labels_two_dimensions", d(train_labels=idx_bytes([4, 1], [0, 1, 0, 1])), l, 2,
         f"idx_labels_two_dimensions/{lab}: a label file has 1 dimension but this one has 2",
         "labels stored as 4x1"),
        ("idx_labels_truncated", d(train_labels=idx_bytes([4], [0, 1])), l, 2,
         f"idx_labels_truncated/{lab}: truncated: header claims 4 labels", "2 of 4 label bytes present"),
        ("idx_labels_wrong_magic", d(train_labels=b"\xff\xff\x08\x01" + bytes(8)), l, 2,
         f"idx_labels_wrong_magic/{lab}: not an IDX file", "label file with magic 0xffff"),
        ("idx_labels_gz_corrupt", {**d(gz=True), lab + ".gz": corrupt_deflate(VALID_LABELS)}, l, 2,
         f"idx_labels_gz_corrupt/{lab}.gz: corrupt gzip data",
         "label file with a broken deflate stream"),
        ("idx_single_class",
         {**d(train_labels=idx_bytes([4], [0] * 4)), TEST_LABELS: idx_bytes([4], [0] * 4)}, l, 2,
         f"idx_single_class/{lab}: only one class (label 0) in the file", "every label of both splits is 0"),
        ("idx_single_class_nonzero",
         {**d(train_labels=idx_bytes([4], [3] * 4)), TEST_LABELS: idx_bytes([4], [3] * 4)}, l, 2,
         f"idx_single_class_nonzero/{lab}: only one class (label 3) in the file",
         "every label is 3: once taken for 4 classes and trained"),
        ("idx_missing_labels", d(train_labels=None), l, 2,
         f"idx_missing_labels: no train labels file: looked for {lab}[.gz]",
         "directory without a training label file"),
        ("idx_missing_test_split", d(test=False), i, 2,
         f"idx_missing_test_split: no t10k images file: looked for {TEST_IMAGES}[.gz]",
         "no t10k-* files while the test split is requested"),
        ("idx_bad_test_images",
         {**d(), TEST_IMAGES: idx_bytes([4, 2, 2], range(3))}, i, 2,
         f"idx_bad_test_images/{TEST_IMAGES}: truncated: header claims 4 images of 2x2",
         "valid training split, truncated test images"),
        ("idx_no_such_directory", None, i, 2, "idx_no_such_directory: no such directory",
         "the directory does not exist (not committed on purpose)"),
    ]


# ---------------------------------------------------------------------------------------------- CSV

VALID_ROWS = "0.1,0.2,0\n0.3,0.1,1\n0.5,0.9,0\n0.7,0.4,1\n"
VALID_CSV = "x,y,label\n" + VALID_ROWS


def csv_with(bad_row):
    """A small valid file whose third line is bad_row."""
    return ("x,y,label\n0.1,0.2,0\n" + bad_row + "\n0.7,0.4,1\n").encode()


def random_binary_with_nul():
    garbage = bytearray(random.Random(2).randbytes(700))
    garbage[300] = 0  # make sure there is a NUL, at a known offset
    line = 1 + garbage[:garbage.index(0)].count(b"\n")
    return bytes(garbage), line


def csv_cases():
    garbage, garbage_nul_line = random_binary_with_nul()
    c = "csv"
    return [
        ("tiny.csv", VALID_CSV.encode() + b"0.2,0.8,0\n0.9,0.6,1\n", c, 0, "",
         "control: the valid file the config cases point at"),
        ("missing_trailing_newline.csv", VALID_CSV.rstrip("\n").encode(), c, 0, "",
         "VALID: the last row has no newline"),
        ("crlf_line_endings.csv", VALID_CSV.replace("\n", "\r\n").encode(), c, 0, "",
         "VALID: Windows line endings"),
        ("utf8_bom.csv", b"\xef\xbb\xbf" + VALID_CSV.encode(), c, 0, "", "VALID: UTF-8 byte order mark"),
        ("empty.csv", b"", c, 2, "empty.csv: file is empty", "zero bytes"),
        ("whitespace_only.csv", b"  \n\t\n\n", c, 2, "whitespace_only.csv: file is empty",
         "only blanks and newlines"),
        ("header_only.csv", b"x,y,label\n", c, 2, "header_only.csv: no data rows",
         "a header line and nothing else"),
        ("single_column.csv", b"label\n0\n1\n", c, 2,
         "single_column.csv:1: only 1 column", "labels but no feature column"),
        ("ragged_short_row.csv", csv_with("0.3,1"), c, 2,
         "ragged_short_row.csv:3: expected 3 fields, found 2", "row with a missing field"),
        ("ragged_long_row.csv", csv_with("0.3,0.4,0.5,1"), c, 2,
         "ragged_long_row.csv:3: expected 3 fields, found 4", "row with an extra field"),
        ("non_numeric_cell.csv", csv_with("0.3,abc,1"), c, 2,
         'non_numeric_cell.csv:3: column 2: "abc" is not a number', "text in a numeric column"),
        ("hex_number.csv", csv_with("0x1A,0.5,1"), c, 2,
         'hex_number.csv:3: column 1: "0x1A" is not a number', "hexadecimal literal"),
        ("empty_field.csv", csv_with("0.3,,1"), c, 2,
         "empty_field.csv:3: column 2: empty field", "missing value between two commas"),
        ("nan_lowercase.csv", csv_with("0.3,nan,1"), c, 2,
         'nan_lowercase.csv:3: column 2: "nan" is not a finite number', "nan"),
        ("nan_capitalized.csv", csv_with("NaN,0.5,1"), c, 2,
         'nan_capitalized.csv:3: column 1: "NaN" is not a finite number', "NaN as pandas writes it"),
        ("inf_value.csv", csv_with("0.3,inf,1"), c, 2,
         'inf_value.csv:3: column 2: "inf" is not a finite number', "inf"),
        ("negative_infinity.csv", csv_with("-Infinity,0.5,1"), c, 2,
         'negative_infinity.csv:3: column 1: "-Infinity" is not a finite number', "-Infinity"),
        ("nan_label.csv", csv_with("0.3,0.5,nan"), c, 2,
         'nan_label.csv:3: column 3: "nan" is not a finite number', "NaN in the label column"),
        ("double_overflow.csv", csv_with("1e999,0.5,1"), c, 2,
         'double_overflow.csv:3: column 1: "1e999" is out of the range of a double', "1e999"),
        ("decimal_comma_fields.csv", b"x,y,label\n0,5,1,5,0\n", c, 2,
         "decimal_comma_fields.csv:2: expected 3 fields, found 5 (decimal comma?",
         "0,5 and 1,5 written with decimal commas split into extra fields"),
        ("decimal_comma_quoted.csv", b'x,y,label\n"0,5",1.5,0\n"1,5",0.5,1\n', c, 2,
         'decimal_comma_quoted.csv:2: column 1: "0,5" is not a number (decimal comma?',
         "a quoted decimal-comma number"),
        ("decimal_comma_semicolons.csv", b"0,5;1,5;0\n1,5;2,5;1\n", c, 2,
         "decimal_comma_semicolons.csv:1: looks like ';'-separated numbers with decimal commas",
         "what a German spreadsheet exports as CSV"),
        ("semicolon_separated.csv", b"x;y;label\n0.1;0.2;0\n0.3;0.1;1\n", c, 2,
         "semicolon_separated.csv:1: no ',' in the first line but it contains ';'",
         "';' as the separator"),
        ("tab_separated.csv", b"x\ty\tlabel\n0.1\t0.2\t0\n0.3\t0.1\t1\n", c, 2,
         "tab_separated.csv:1: no ',' in the first line but it contains tabs", "tab as the separator"),
        ("cr_only_line_endings.csv", VALID_CSV.replace("\n", "\r").encode(), c, 2,
         "cr_only_line_endings.csv:1: lines end in a bare CR (classic Mac OS line endings)",
         "classic Mac OS line endings: without LF the whole file is one line"),
        ("blank_line_inside.csv", b"x,y,label\n0.1,0.2,0\n\n0.3,0.1,1\n", c, 2,
         "blank_line_inside.csv:3: blank line in the data", "an empty line between rows"),
        ("unclosed_quote.csv", b'x,y,label\n"0.1,0.2,0\n0.3,0.1,1\n', c, 2,
         "unclosed_quote.csv:2: column 1: quoted field is not closed", "opening quote, no closing one"),
        ("text_after_quote.csv", b'x,y,label\n"0.1"x,0.2,0\n0.3,0.1,1\n', c, 2,
         "text_after_quote.csv:2: column 1: unexpected text after the closing quote", '"0.1"x'),
        ("single_class.csv", b"x,y,label\n0.1,0.2,1\n0.3,0.1,1\n0.5,0.9,1\n", c, 2,
         "single_class.csv: only one class (label 1)", "every label is 1"),
        ("fractional_labels.csv", b"x,y,label\n0.1,0.2,0.5\n0.3,0.1,1.5\n0.5,0.9,2.5\n", c, 2,
         "loss ce needs class labels, but fractional_labels is a regression task",
         "non-integer labels make it a regression set, the default loss is cross-entropy"),
        ("negative_labels.csv", b"x,y,label\n0.1,0.2,-1\n0.3,0.1,0\n0.5,0.9,-1\n", c, 2,
         "loss ce needs class labels, but negative_labels is a regression task",
         "labels -1/0 are not class indices"),
        ("invalid_utf8.csv", b"x,y,label\n\xc3\x28,\xa0\xa1,0\n", c, 2,
         "invalid_utf8.csv:2: column 1: ", "bytes that are not UTF-8 in a data cell"),
        ("binary_png.csv", PNG_SIGNATURE, c, 2, "binary_png.csv:3: NUL byte: binary or UTF-16 file",
         "PNG signature: its \\r\\n and \\x1a\\n put the first NUL byte on line 3"),
        ("binary_garbage.csv", garbage, c, 2,
         f"binary_garbage.csv:{garbage_nul_line}: NUL byte: binary or UTF-16 file",
         "700 random bytes"),
        ("utf16le_bom.csv", "\ufeff".encode("utf-16-le") + VALID_CSV.encode("utf-16-le"), c, 2,
         "utf16le_bom.csv: binary or UTF-16 file", "UTF-16 little-endian with byte order mark"),
        ("utf16be_bom.csv", "\ufeff".encode("utf-16-be") + VALID_CSV.encode("utf-16-be"), c, 2,
         "utf16be_bom.csv: binary or UTF-16 file", "UTF-16 big-endian with byte order mark"),
        ("utf16le_no_bom.csv", VALID_CSV.encode("utf-16-le"), c, 2,
         "utf16le_no_bom.csv:1: NUL byte: binary or UTF-16 file", "UTF-16 without byte order mark"),
        ("no_such_file.csv", None, c, 2, "no_such_file.csv: no such file",
         "the file does not exist (not committed on purpose)"),
        ("idx_valid", None, c, 2, "idx_valid: is a directory, expected a CSV file",
         "a directory given as the CSV file"),
        ("generated/huge_sparse.csv", None, c, 2,
         "huge_sparse.csv: file is 1073741825 bytes; files larger than 1 GiB are refused",
         "generated at test time: sparse file of 1 GiB + 1 byte (truncate), nothing to read"),
        ("generated/long_line.csv", None, c, 2,
         "long_line.csv:2: line is 1048577 bytes long; lines over 1 MiB are refused",
         "generated at test time: a header, then one line of 1 MiB + 1 byte"),
    ]


# ------------------------------------------------------------------------------------------ configs


def config_cases():
    k = "config"
    j = lambda text: text.encode()
    return [
        ("cfg_truncated.json", j('{"n": 3'), k, 2, "cfg_truncated.json: offset 7:", "object not closed"),
        ("cfg_empty.json", b"", k, 2, "cfg_empty.json: offset 0:", "zero bytes"),
        ("cfg_trailing_comma.json", j('{"n": 3,}'), k, 2, "cfg_trailing_comma.json: offset",
         "comma before the closing brace"),
        ("cfg_nan_literal.json", j('{"lr": NaN}'), k, 2, "cfg_nan_literal.json: offset",
         "NaN is not JSON"),
        ("cfg_not_object.json", j("[1, 2]"), k, 2, "cfg_not_object.json: expected a JSON object",
         "top level is an array"),
        ("cfg_binary_garbage.json", random.Random(3).randbytes(200).replace(b"\0", b"\1"), k, 2,
         "cfg_binary_garbage.json: offset", "200 random bytes"),
        ("cfg_utf16.json", "\ufeff{\"n\": 3}".encode("utf-16-le"), k, 2, "cfg_utf16.json: offset",
         "UTF-16 text: JSON files must be UTF-8"),
        ("cfg_wrong_type_width.json", j('{"width": "wide"}'), k, 2,
         'cfg_wrong_type_width.json: width: expected an integer, got "wide"', "string for an integer"),
        ("cfg_fractional_epochs.json", j('{"epochs": 2.5}'), k, 2,
         "cfg_fractional_epochs.json: epochs: expected an integer, got 2.5", "fraction for an integer"),
        ("cfg_int_overflow.json", j('{"n": 1e12}'), k, 2,
         "cfg_int_overflow.json: n: expected an integer, got 1000000000000", "beyond a 32-bit int"),
        ("cfg_wrong_type_bool.json", j('{"restore_best": "yes"}'), k, 2,
         'cfg_wrong_type_bool.json: restore_best: expected true or false, got "yes"',
         "string for a boolean"),
        ("cfg_null_value.json", j('{"lr": null}'), k, 2,
         "cfg_null_value.json: lr: expected a finite number, got null", "null for a number"),
        ("cfg_object_value.json", j('{"width": {"value": 3}}'), k, 2,
         "cfg_object_value.json: width: expected an integer, got an object", "nested object"),
        ("cfg_array_value.json", j('{"dataset": ["csv"]}'), k, 2,
         "cfg_array_value.json: dataset: expected a string, got an array", "array for an enum"),
        ("cfg_number_for_path.json", j('{"data": 42}'), k, 2,
         "cfg_number_for_path.json: data: expected a string, got 42", "number for the data path"),
        ("cfg_huge_number.json", j('{"lr": 1e400}'), k, 2, "cfg_huge_number.json: offset 12: illegal number",
         "1e400 does not fit in a double"),
        ("cfg_unknown_key.json", j('{"widht": 3}'), k, 2, 'cfg_unknown_key.json: unknown key "widht"',
         "misspelt key"),
        # Control characters in a key or value are shown as \xNN so that the message stays one line
        # (found by fuzz_config), and a huge key is cut to 40 bytes.
        ("cfg_newline_in_key.json", j('{"wid\\nth": 3}'), k, 2,
         'cfg_newline_in_key.json: unknown key "wid\\x0ath"', "an escaped newline inside a key"),
        ("cfg_newline_in_value.json", j('{"activation": "re\\nlu"}'), k, 2,
         'cfg_newline_in_value.json: activation: unknown value "re\\x0alu"',
         "an escaped newline inside an enum value"),
        ("cfg_control_bytes_in_key.json", b'{"activation\x01\0\0\0\0\0\0\n": "qwsih"}', k, 2,
         'cfg_control_bytes_in_key.json: unknown key "activation\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x0a"',
         "raw control bytes and a newline in a key: the first fuzz_config finding"),
        ("cfg_huge_key.json", j('{"' + "k" * 5000 + '": 1}'), k, 2,
         'cfg_huge_key.json: unknown key "' + "k" * 40 + '..."', "a key of 5000 characters"),
        ("cfg_unknown_activation.json", j('{"activation": "swish"}'), k, 2,
         'cfg_unknown_activation.json: activation: unknown value "swish"', "enum value that does not exist"),
        ("cfg_future_version.json", j('{"format": "ntkviz-config", "version": 99, "n": 10}'), k, 2,
         "cfg_future_version.json: version 99 is newer than this program understands",
         "written by a future ntkviz"),
        ("cfg_version_string.json", j('{"version": "1"}'), k, 2,
         'cfg_version_string.json: version: expected a positive integer, got "1"', "version as a string"),
        ("cfg_version_zero.json", j('{"version": 0}'), k, 2,
         "cfg_version_zero.json: version: expected a positive integer, got 0", "version 0"),
        ("cfg_width_zero.json", j('{"width": 0}'), k, 2, "cfg_width_zero.json: width = 0",
         "width 0 hidden units"),
        ("cfg_width_too_large.json", j('{"width": 8193}'), k, 2, "cfg_width_too_large.json: width = 8193",
         "above the 8192 limit"),
        ("cfg_depth_too_large.json", j('{"depth": 9}'), k, 2, "cfg_depth_too_large.json: depth = 9",
         "above the 8 layer limit"),
        ("cfg_negative_lr.json", j('{"lr": -0.1}'), k, 2, "cfg_negative_lr.json: lr = -0.1",
         "negative learning rate"),
        ("cfg_momentum_one.json", j('{"momentum": 1.0}'), k, 2, "cfg_momentum_one.json: momentum = 1",
         "momentum must stay below 1"),
        ("cfg_negative_seed.json", j('{"seed": -1}'), k, 2,
         "cfg_negative_seed.json: seed: expected an integer from 0 to 2^53-1, got -1", "negative seed"),
        ("cfg_early_stop_no_test.json", j('{"early_stop": 5, "test_n": 0}'), k, 2,
         "cfg_early_stop_no_test.json: early-stop needs a test split", "early stopping without a test set"),
        ("cfg_csv_without_data.json", j('{"dataset": "csv"}'), k, 2,
         "cfg_csv_without_data.json: dataset csv needs a file", "csv data set, no path"),
        ("cfg_sine_with_ce.json", j('{"dataset": "sine"}'), k, 2, "loss ce needs class labels",
         "regression data with the default cross-entropy loss"),
        ("cfg_n_larger_than_data.json", j('{"dataset": "csv", "data": "tiny.csv", "n": 500}'), k, 2,
         "tiny.csv: n = 500 but only 6 points are available", "n larger than the 6 rows of tiny.csv"),
        ("cfg_n_larger_than_idx.json",
         j('{"dataset": "fashion-mnist", "data": "idx_valid", "n": 5, "test_n": 0}'), k, 2,
         "idx_valid (training split): n = 5 but only 4 points are available",
         "n larger than the 4 images of idx_valid"),
        ("cfg_missing_data_file.json", j('{"dataset": "csv", "data": "no_such_file.csv", "n": 2}'), k, 2,
         "no_such_file.csv: no such file", "the data file it names does not exist"),
        ("cfg_points_to_bad_csv.json",
         j('{"dataset": "csv", "data": "non_numeric_cell.csv", "n": 2, "test_n": 0}'), k, 2,
         'non_numeric_cell.csv:3: column 2: "abc" is not a number', "valid config, bad CSV behind it"),
        ("cfg_points_to_bad_idx.json",
         j('{"dataset": "mnist", "data": "idx_truncated_body", "n": 2, "test_n": 0}'), k, 2,
         f"idx_truncated_body/{TRAIN_IMAGES}: truncated", "valid config, truncated IDX behind it"),
        ("no_such_config.json", None, k, 2, "no_such_config.json: No such file",
         "the config file does not exist (not committed on purpose)"),
        ("idx_valid", None, k, 2, "idx_valid: ", "a directory given as the config file"),
        ("generated/huge_config.json", None, k, 2, "huge_config.json: larger than 1 MiB",
         "generated at test time: sparse file of 1 MiB + 1 byte"),
    ]


# ----------------------------------------------------------------------------------------- sessions


def session_cases():
    k = "session"
    j = lambda text: text.encode()
    head = '{"format": "ntkviz-session", "version": 1, '
    tiny = '"settings": {"dataset": "xor", "n": 8, "test_n": 4, "width": 4, "epochs": 2}'
    return [
        ("ses_valid.json", j(head + tiny + ', "reference": {"settings": {"dataset": "xor", "n": 8, '
                             '"test_n": 4, "width": 4, "epochs": 2}, "epochs": 1}, "scene": "", '
                             '"view": {"presentation_scale": 1.6, "speed_limit": 20}}'), k, 0, "",
         "VALID: a session with a pinned reference"),
        ("ses_truncated.json", j(head + tiny), k, 2, "ses_truncated.json: offset", "object not closed"),
        ("ses_config_file.json", j('{"format": "ntkviz-config", "version": 1, "n": 8}'), k, 2,
         'ses_config_file.json: format: expected "ntkviz-session", got "ntkviz-config"',
         "a config file given as a session"),
        ("ses_future_version.json", j('{"format": "ntkviz-session", "version": 7, ' + tiny + "}"), k, 2,
         "ses_future_version.json: version 7 is newer than this program understands",
         "written by a future ntkviz"),
        ("ses_unknown_key.json", j(head + tiny + ', "kernels": []}'), k, 2,
         'ses_unknown_key.json: unknown key "kernels"', "a key this version does not know"),
        ("ses_settings_wrong_type.json", j(head + '"settings": {"epochs": "many"}}'), k, 2,
         'ses_settings_wrong_type.json: settings: epochs: expected an integer, got "many"',
         "string for an integer inside the settings"),
        ("ses_settings_n_zero.json", j(head + '"settings": {"n": 0}}'), k, 2,
         "ses_settings_n_zero.json: settings: n = 0", "no training points"),
        ("ses_reference_epochs_beyond.json",
         j(head + tiny + ', "reference": {"settings": {"epochs": 5}, "epochs": 9}}'), k, 2,
         "ses_reference_epochs_beyond.json: reference: epochs: expected an integer from 0 to 5",
         "pinned at an epoch its run never reached"),
        ("ses_view_scale.json", j(head + tiny + ', "view": {"presentation_scale": 0}}'), k, 2,
         "ses_view_scale.json: view: presentation_scale: expected a number from 0.7 to 3, got 0",
         "text scale out of range"),
        ("ses_missing_scene.json", j(head + tiny + ', "scene": "no-such-scene"}'), k, 2,
         "ses_missing_scene.json: scene: no-such-scene: no such scene", "names a scene that does not exist"),
    ]


# -------------------------------------------------------------------------------------------- flags


def flag_cases():
    f = "flags"
    return [
        ("--bogus", "Unknown option 'bogus'", "unknown long option"),
        ("-x", "Unknown option 'x'", "unknown short option"),
        ("--width", "Missing value after '--width'", "value missing at the end"),
        ("--config", "Missing value after '--config'", "config file name missing"),
        ("--width wide", '--width: "wide" is not an integer', "text for an integer"),
        ("--width 2.5", '--width: "2.5" is not an integer', "fraction for an integer"),
        ("--epochs 99999999999", '--epochs: "99999999999" is not an integer', "beyond a 32-bit int"),
        ("--width 0", "width = 0", "zero hidden units"),
        ("--width 8193", "width = 8193", "above the width limit"),
        ("--depth 0", "depth = 0", "no hidden layer"),
        ("--depth 9", "depth = 9", "above the depth limit"),
        ("--n 0", "n = 0", "no training points"),
        ("--n 70001", "n = 70001", "above the n limit"),
        ("--test-n -1", "test-n = -1", "negative test size"),
        ("--lr 0", "lr = 0", "zero learning rate"),
        ("--lr nan", '--lr: "nan" is not a finite number', "NaN learning rate"),
        ("--lr inf", '--lr: "inf" is not a finite number', "infinite learning rate"),
        ("--lr 1e999", '--lr: "1e999" is not a finite number', "overflowing learning rate"),
        ("--momentum 1", "momentum = 1", "momentum must stay below 1"),
        ("--noise 11", "noise = 11", "above the noise limit"),
        ("--blob-classes 1", "blob-classes = 1", "a single blob"),
        ("--sigma-w 0", "sigma-w = 0", "zero weight scale"),
        ("--batch 0", "batch = 0", "empty mini-batch"),
        ("--l2 1e4", "l2 = 10000", "above the L2 limit"),
        ("--top-k -1", "top-k = -1", "negative top-k"),
        ("--early-stop -1", "early-stop = -1", "negative patience"),
        ("--early-stop 5 --test-n 0", "early-stop needs a test split", "early stopping without test set"),
        ("--seed -1", '--seed: "-1" is not an integer from 0 to 2^53-1', "negative seed"),
        ("--seed 9007199254740993", "--seed: \"9007199254740993\" is not an integer from 0 to 2^53-1",
         "seed beyond 2^53"),
        ("--activation swish", '--activation: unknown value "swish"', "unknown activation"),
        ("--dataset imagenet", '--dataset: unknown value "imagenet"', "unknown data set"),
        ("--scaling log", '--scaling: unknown value "log"', "unknown scaling"),
        ("--penalize-biases maybe", '--penalize-biases: "maybe" is not true or false', "not a boolean"),
        ("--dataset csv", "dataset csv needs a file", "csv without --data"),
        ("--dataset sine", "loss ce needs class labels", "regression data with cross-entropy"),
        ("--dataset csv --data tiny.csv --n 7 --test-n 0", "tiny.csv: n = 7 but only 6 points are available",
         "n larger than the file"),
        ("--dataset csv --data tiny.csv --n 4 --test-n 3", "tiny.csv: test-n = 3 but only 2 points are available",
         "test split larger than what is left after n"),
        ("extra-argument", 'unexpected argument "extra-argument"', "a positional argument"),
        ("--out", "Missing value after '--out'", "output directory missing"),
    ]


# --------------------------------------------------------------------------------------------- main


def all_cases():
    rows = []
    files = {}
    for name, content, kind, code, expected, description in csv_cases() + config_cases() + session_cases():
        if content is not None:
            files[name] = content
        rows.append((name, kind, code, expected, description))
    for name, directory, kind, code, expected, description in idx_cases():
        if directory is not None:
            for file_name, content in directory.items():
                files[f"{name}/{file_name}"] = content
        rows.append((name, kind, code, expected, description))
    for flags, expected, description in flag_cases():
        rows.append((flags, "flags", 2, expected, description))
    return files, rows


def manifest_text(rows):
    lines = ["file\tkind\texit\texpected\tdescription"]
    for row in rows:
        fields = [str(field) for field in row]
        assert all("\t" not in field and "\n" not in field for field in fields), row
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"


def write_corpus(out_dir):
    files, rows = all_cases()
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    for name, content in files.items():
        path = os.path.join(out_dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
    with open(os.path.join(out_dir, "MANIFEST.tsv"), "w", encoding="utf-8") as f:
        f.write(manifest_text(rows))
    return len(rows)


def tree_bytes(root):
    result = {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                result[os.path.relpath(path, root)] = f.read()
    return result


def main(argv):
    check = "--check" in argv
    positional = [a for a in argv if a != "--check"]
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = positional[0] if positional else os.path.join(repo, "tests", "data", "bad")
    if not check:
        count = write_corpus(out_dir)
        print(f"{out_dir}: {count} cases", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        fresh = os.path.join(scratch, "bad")
        write_corpus(fresh)
        expected, actual = tree_bytes(fresh), tree_bytes(out_dir)
    stale = sorted(name for name in expected.keys() | actual.keys() if expected.get(name) != actual.get(name))
    for name in stale:
        print(f"{out_dir}/{name}: differs from what {sys.argv[0]} generates", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
