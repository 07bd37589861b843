using System.Buffers.Binary;
using System.Text;
using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.SafeTensors;

public class SafeTensorsTests
{
    private static byte[] RawFile(string headerJson, byte[] data, ulong? lengthOverride = null)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, lengthOverride ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    private static SafeTensorsFormatException OpenBad(TempFolder dir, byte[] content)
    {
        string path = dir.File("bad file.safetensors");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.Contains("bad file.safetensors", e.Message);
        Assert.IsAssignableFrom<InvalidFileException>(e);
        return e;
    }

    [Theory]
    [InlineData(SafeTensorDType.F32)]
    [InlineData(SafeTensorDType.F16)]
    [InlineData(SafeTensorDType.BF16)]
    [InlineData(SafeTensorDType.F64)]
    [InlineData(SafeTensorDType.I64)]
    [InlineData(SafeTensorDType.I32)]
    [InlineData(SafeTensorDType.I16)]
    [InlineData(SafeTensorDType.I8)]
    [InlineData(SafeTensorDType.U8)]
    [InlineData(SafeTensorDType.BOOL)]
    [InlineData(SafeTensorDType.F8_E4M3)]
    [InlineData(SafeTensorDType.F8_E5M2)]
    public void Every_dtype_round_trips_values_exactly_representable_in_it(SafeTensorDType dtype)
    {
        using var dir = new TempFolder("st");
        float[] values = dtype == SafeTensorDType.BOOL ? new float[] { 1, 0, 1, 1, 0, 0 } : new float[] { 0, 1, -2, 3, 0.5f * (dtype is SafeTensorDType.I64 or SafeTensorDType.I32 or SafeTensorDType.I16 or SafeTensorDType.I8 or SafeTensorDType.U8 ? 2 : 1), 4 };
        if (dtype == SafeTensorDType.U8) values[2] = 2;
        string path = dir.File("日本語 フォルダ/all dtypes.safetensors");
        SafeTensorsWriter.Write(path, new[] { SafeTensorEntry.FromSingles("t", dtype, new long[] { 2, 3 }, values) },
            new Dictionary<string, string> { ["ss_network_dim"] = "8", ["note"] = "引用 \"q\"\n" });
        using var file = SafeTensorsFile.Open(path);
        var t = file["t"];
        Assert.Equal(dtype, t.DType);
        Assert.Equal(new long[] { 2, 3 }, t.ShapeArray());
        Assert.Equal(6L * dtype.ElementSize(), t.ByteLength);
        Assert.Equal(values, t.ToSingleArray());
        Assert.Equal("8", file.Metadata["ss_network_dim"]);
        Assert.Equal("引用 \"q\"\n", file.Metadata["note"]);
        Assert.Equal(0, (file.DataOffset) % 8);
    }

    [Fact]
    public void Half_and_bfloat16_round_to_nearest_even()
    {
        Assert.Equal(1.0f, HalfConversions.BFloat16ToSingle(HalfConversions.SingleToBFloat16(1.00390625f))); // tie → even
        Assert.Equal(1.0078125f, HalfConversions.BFloat16ToSingle(HalfConversions.SingleToBFloat16(1.005f)));
        Assert.Equal(448f, HalfConversions.E4M3ToSingle(0x7E));
        Assert.True(float.IsNaN(HalfConversions.E4M3ToSingle(0x7F)));
        Assert.Equal(57344f, HalfConversions.E5M2ToSingle(0x7B));
    }

    [Fact]
    public void Data_is_ordered_like_the_python_library_and_lazy_views_read_the_right_bytes()
    {
        using var dir = new TempFolder("st");
        string path = dir.File("order.safetensors");
        SafeTensorsWriter.Write(path, new[]
        {
            SafeTensorEntry.FromSingles("b.half", SafeTensorDType.F16, new long[] { 2 }, new float[] { 1, 2 }),
            SafeTensorEntry.FromSingles("a.alpha", SafeTensorDType.F32, Array.Empty<long>(), new float[] { 16 }),
            SafeTensorEntry.FromSingles("c.float", SafeTensorDType.F32, new long[] { 3 }, new float[] { 5, 6, 7 }),
            SafeTensorEntry.FromSingles("empty", SafeTensorDType.F32, new long[] { 0, 4 }, Array.Empty<float>()),
        });
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(new[] { "a.alpha", "c.float", "empty", "b.half" }, file.Tensors.Select(t => t.Name));
        Assert.Equal(16.0, file["a.alpha"].ToScalar());
        Assert.Equal(new float[] { 5, 6, 7 }, file["c.float"].ToSingleArray());
        Assert.Equal(new float[] { 1, 2 }, file["b.half"].ToSingleArray());
        Assert.Empty(file["empty"].ToSingleArray());
        Assert.True(file["b.half"].DataBegin > file["c.float"].DataBegin);
    }

    [Fact]
    public void Cast_copy_converts_precision_while_streaming()
    {
        using var dir = new TempFolder("st");
        string src = dir.File("src.safetensors"), dst = dir.File("dst.safetensors");
        var values = Enumerable.Range(0, 1000).Select(i => i * 0.25f).ToArray();
        SafeTensorsWriter.Write(src, new[] { SafeTensorEntry.FromSingles("w", SafeTensorDType.F32, new long[] { 10, 100 }, values) });
        using (var file = SafeTensorsFile.Open(src))
            SafeTensorsWriter.Write(dst, new[] { SafeTensorEntry.CastOf(file["w"], SafeTensorDType.F16) });
        using var half = SafeTensorsFile.Open(dst);
        Assert.Equal(SafeTensorDType.F16, half["w"].DType);
        Assert.Equal(values, half["w"].ToSingleArray());
    }

    [Fact]
    public void Released_pages_read_back_the_same_data()
    {
        using var dir = new TempFolder("st");
        string path = dir.File("big.safetensors");
        var values = Enumerable.Range(0, 300_000).Select(i => (float)Math.Sin(i)).ToArray();
        SafeTensorsWriter.Write(path, new[] { SafeTensorEntry.FromSingles("w", SafeTensorDType.F32, new long[] { 300_000 }, values) });
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(values, file["w"].ToSingleArray());
        file.ReleasePages("w");
        file.ReleasePages("missing");
        Assert.Equal(values, file["w"].ToSingleArray());
    }

    [Fact]
    public void Writer_refuses_to_overwrite_and_leaves_no_partial_file_on_failure()
    {
        using var dir = new TempFolder("st");
        string path = dir.File("out.safetensors");
        File.WriteAllText(path, "mine");
        Assert.Throws<IOException>(() => SafeTensorsWriter.Write(path, new[] { SafeTensorEntry.FromSingles("t", SafeTensorDType.F32, new long[] { 1 }, new float[] { 1 }) }));
        Assert.Equal("mine", File.ReadAllText(path));

        string other = dir.File("failing.safetensors");
        var failing = new SafeTensorEntry("t", SafeTensorDType.F32, new long[] { 4 }, s => { s.Write(new byte[4]); throw new InvalidOperationException("disk gone"); });
        Assert.Throws<InvalidOperationException>(() => SafeTensorsWriter.Write(other, new[] { failing }));
        var shortEntry = new SafeTensorEntry("t", SafeTensorDType.F32, new long[] { 4 }, s => s.Write(new byte[3]));
        Assert.Throws<InvalidOperationException>(() => SafeTensorsWriter.Write(other, new[] { shortEntry }));
        Assert.Equal(new[] { "out.safetensors" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Truncated_files_are_refused()
    {
        using var dir = new TempFolder("st");
        Assert.Contains("shorter than the 8-byte", OpenBad(dir, new byte[] { 1, 2, 3 }).Message);
        var good = RawFile("{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[16]);
        Assert.Contains("truncated", OpenBad(dir, good[..(good.Length - 4)]).Message);
        Assert.Contains("past the end", OpenBad(dir, good[..20]).Message);
    }

    [Fact]
    public void Hostile_header_length_is_bounded()
    {
        using var dir = new TempFolder("st");
        Assert.Contains("limit", OpenBad(dir, RawFile("{}", Array.Empty<byte>(), ulong.MaxValue)).Message);
        Assert.Contains("limit", OpenBad(dir, RawFile("{}", Array.Empty<byte>(), 200_000_000)).Message);
    }

    [Theory]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}", "well-formed")]
    [InlineData("[1,2,3]", "not a JSON object")]
    [InlineData("{\"t\":{\"dtype\":\"F33\",\"shape\":[4],\"data_offsets\":[0,16]}}", "unknown dtype")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,16]}}", "= 20 bytes")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", "invalid dimension")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,32]}}", "past the data section")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,0]}}", "invalid data_offsets")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", "overlaps")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", "unexplained bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "trailing bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "twice")]
    [InlineData("{\"__metadata__\":{\"k\":5},\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "not a string")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[9223372036854775807,9223372036854775807],\"data_offsets\":[0,16]}}", "overflows")]
    public void Corrupt_headers_name_the_defect(string header, string defect)
    {
        using var dir = new TempFolder("st");
        Assert.Contains(defect, OpenBad(dir, RawFile(header, new byte[16])).Message);
    }

    [Fact]
    public void Random_garbage_never_crashes()
    {
        using var dir = new TempFolder("st");
        var rng = new Random(1234);
        var good = RawFile("{\"t\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]}}", new byte[8]);
        for (int i = 0; i < 200; i++)
        {
            var bytes = (byte[])good.Clone();
            for (int k = 0; k < 3; k++) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
            string path = dir.File($"fuzz{i}.safetensors");
            File.WriteAllBytes(path, bytes);
            try { using var f = SafeTensorsFile.Open(path); foreach (var t in f.Tensors) t.ToSingleArray(); }
            catch (SafeTensorsFormatException) { }
        }
    }
}
