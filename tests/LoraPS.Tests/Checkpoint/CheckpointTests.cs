using LoraPS.Formats;
using LoraPS.Formats.Checkpoint;
using LoraPS.Formats.SafeTensors;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Checkpoint;

public class CheckpointTests
{
    [Fact]
    public void Reads_a_state_dict_checkpoint_lazily_with_dtypes_and_shapes()
    {
        using var dir = new TempFolder("ckpt");
        string path = dir.File("モデル dir/model v1.ckpt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var w = Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray();
        PickleWriter.WriteCheckpoint(path, new[]
        {
            ("model.diffusion_model.out.2.weight", w, new long[] { 3, 4 }, SafeTensorDType.F16),
            ("model.diffusion_model.out.2.bias", new float[] { 1, 2, 3 }, new long[] { 3 }, SafeTensorDType.F32),
        });
        using var file = TensorFiles.Open(path);
        Assert.IsType<CheckpointFile>(file);
        Assert.Equal(new[] { "model.diffusion_model.out.2.weight", "model.diffusion_model.out.2.bias" }, file.TensorNames);
        var info = file.GetInfo("model.diffusion_model.out.2.weight");
        Assert.Equal(SafeTensorDType.F16, info.DType);
        Assert.Equal(new long[] { 3, 4 }, info.Shape);
        Assert.Equal(w, file.ReadSingles("model.diffusion_model.out.2.weight"));
        Assert.Equal(new float[] { 1, 2, 3 }, file.ReadSingles("model.diffusion_model.out.2.bias"));
        Assert.Equal(7L, ((CheckpointFile)file).OtherEntries["global_step"]);
    }

    [Fact]
    public void Reads_a_bare_state_dict_and_strided_views_sharing_a_storage()
    {
        using var dir = new TempFolder("ckpt");
        string path = dir.File("views.pt");
        var storage = Enumerable.Range(0, 6).Select(i => (float)i).ToArray(); // [[0,1,2],[3,4,5]]
        var p = new PickleWriter().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark()
            .Str("full").Tensor("FloatStorage", "0", 6, 0, new long[] { 2, 3 }, new long[] { 3, 1 })
            .Str("transposed").Tensor("FloatStorage", "0", 6, 0, new long[] { 3, 2 }, new long[] { 1, 3 })
            .Str("row1").Tensor("FloatStorage", "0", 6, 3, new long[] { 3 }, new long[] { 1 })
            .SetItems().Stop();
        PickleWriter.WriteZip(path, p.ToArray(), new Dictionary<string, byte[]> { ["0"] = HalfConversions.Encode(storage, SafeTensorDType.F32) }, "views");
        using var file = CheckpointFile.Open(path);
        Assert.Equal(storage, file.ReadSingles("full"));
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, file.ReadSingles("transposed"));
        Assert.Equal(new float[] { 3, 4, 5 }, file.ReadSingles("row1"));
    }

    public static IEnumerable<object[]> HostilePickles()
    {
        yield return new object[] { new PickleWriter().Proto().Global("os", "system").Mark().Str("echo pwned").Tuple().Reduce().Stop().ToArray(), "os.system" };
        yield return new object[] { new PickleWriter().Proto(4).StackGlobal("builtins", "eval").Mark().Str("1+1").Tuple().Reduce().Stop().ToArray(), "builtins.eval" };
        yield return new object[] { new PickleWriter().Proto().Global("posix", "system").Mark().Str("id").Tuple().Reduce().Stop().ToArray(), "posix.system" };
        yield return new object[] { new PickleWriter().Proto().Global("subprocess", "Popen").Mark().Str("sh").Tuple().Reduce().Stop().ToArray(), "subprocess.Popen" };
        yield return new object[] { new PickleWriter().Proto().Global("__builtin__", "getattr").Stop().ToArray(), "__builtin__.getattr" };
        yield return new object[] { new PickleWriter().Proto().Global("torch", "load").Stop().ToArray(), "torch.load" };
        // A hostile global hidden inside an otherwise normal state dict.
        yield return new object[] { new PickleWriter().Proto().EmptyDict().Mark().Str("state_dict").Global("nt", "system").Mark().Str("x").Tuple().Reduce().SetItems().Stop().ToArray(), "nt.system" };
    }

    [Theory]
    [MemberData(nameof(HostilePickles))]
    public void Hostile_globals_are_refused_by_name_and_nothing_runs(byte[] pickle, string global)
    {
        var e = Assert.Throws<CheckpointFormatException>(() => RestrictedUnpickler.Load(pickle, "evil.ckpt"));
        Assert.Contains($"refused global '{global}'", e.Message);
        Assert.Contains("evil.ckpt", e.Message);

        using var dir = new TempFolder("ckpt");
        string path = dir.File("evil.ckpt");
        PickleWriter.WriteZip(path, pickle, new Dictionary<string, byte[]>());
        var e2 = Assert.Throws<CheckpointFormatException>(() => TensorFiles.Open(path).Dispose());
        Assert.Contains(global, e2.Message);
    }

    [Fact]
    public void Truncated_and_corrupt_pickles_are_clear_errors()
    {
        var good = new PickleWriter().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark()
            .Str("w").Tensor("FloatStorage", "0", 4, 0, new long[] { 4 }, new long[] { 1 }).SetItems().Stop().ToArray();
        Assert.NotNull(RestrictedUnpickler.Load(good));
        for (int cut = 1; cut < good.Length; cut++)
            Assert.Throws<CheckpointFormatException>(() => RestrictedUnpickler.Load(good[..cut]));
        var rng = new Random(1234);
        for (int i = 0; i < 500; i++)
        {
            var bytes = (byte[])good.Clone();
            bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
            try { RestrictedUnpickler.Load(bytes); } catch (CheckpointFormatException) { }
        }
        Assert.Contains("opcode", Assert.Throws<CheckpointFormatException>(() => RestrictedUnpickler.Load(new byte[] { 0x80, 2, 0xff, (byte)'.' })).Message);
    }

    [Fact]
    public void Storage_escapes_and_short_storages_are_refused()
    {
        using var dir = new TempFolder("ckpt");
        string path = dir.File("short.ckpt");
        var pickle = new PickleWriter().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark()
            .Str("w").Tensor("FloatStorage", "0", 4, 0, new long[] { 4 }, new long[] { 1 }).SetItems().Stop().ToArray();
        PickleWriter.WriteZip(path, pickle, new Dictionary<string, byte[]> { ["0"] = new byte[8] });
        using (var file = CheckpointFile.Open(path))
            Assert.Contains("elements need 16", Assert.Throws<CheckpointFormatException>(() => file.ReadSingles("w")).Message);

        var outOfRange = new PickleWriter().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark()
            .Str("w").Tensor("FloatStorage", "0", 4, 2, new long[] { 4 }, new long[] { 1 }).SetItems().Stop().ToArray();
        PickleWriter.WriteZip(dir.File("range.ckpt"), outOfRange, new Dictionary<string, byte[]> { ["0"] = new byte[16] });
        Assert.Contains("reaches element", Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(dir.File("range.ckpt"))).Message);

        var escape = new PickleWriter().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark()
            .Str("w").Tensor("FloatStorage", "../../etc/passwd", 4, 0, new long[] { 4 }, new long[] { 1 }).SetItems().Stop().ToArray();
        Assert.Contains("invalid storage key", Assert.Throws<CheckpointFormatException>(() => RestrictedUnpickler.Load(escape)).Message);
    }

    [Fact]
    public void Truncated_zip_and_legacy_format_are_refused()
    {
        using var dir = new TempFolder("ckpt");
        string path = dir.File("m.ckpt");
        PickleWriter.WriteCheckpoint(path, new[] { ("w", new float[] { 1, 2 }, new long[] { 2 }, SafeTensorDType.F32) });
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(dir.File("cut.ckpt"), bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<CheckpointFormatException>(() => TensorFiles.Open(dir.File("cut.ckpt")).Dispose());
        Assert.Contains("cut.ckpt", e.Message);
        File.WriteAllBytes(dir.File("legacy.ckpt"), new byte[] { 0x80, 0x02, 0x8a, 0x0a });
        Assert.Contains("legacy", Assert.Throws<CheckpointFormatException>(() => TensorFiles.Open(dir.File("legacy.ckpt")).Dispose()).Message);
    }
}
