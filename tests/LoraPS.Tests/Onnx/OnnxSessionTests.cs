using LoraPS.Formats.Onnx;
using LoraPS.Onnx;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Onnx;

public class OnnxSessionTests
{
    private static OnnxGraph AddModel(OnnxDim batch)
    {
        var g = new OnnxGraph { Name = "add" };
        g.AddInput("x", OnnxElementType.Float, batch, 4);
        g.AddInitializer("b", new[] { 1f, 2f, 3f, 4f }, 4);
        g.AddNode("Add", new[] { "x", "b" }, new[] { "y" });
        g.AddOutput("y", OnnxElementType.Float, batch, 4);
        return g;
    }

    [Fact]
    public void RunsAWrittenModelAndReportsItsSignature()
    {
        using var dir = new TempFolder("onnx add ünïcödé");
        string path = dir.File("add model ✓.onnx");
        OnnxModelWriter.Write(path, AddModel(1));
        using var session = OnnxSession.Open(path, new OnnxSessionOptions { IntraOpThreads = 1, Device = OnnxDevice.Cpu });
        Assert.Equal("x", session.Inputs[0].Name);
        Assert.Equal(OnnxElementType.Float, session.Inputs[0].ElementType);
        Assert.Equal(new long[] { 1, 4 }, session.Inputs[0].Shape);
        Assert.Equal("y", session.Outputs[0].Name);
        var y = session.Run(OnnxTensor.Of(new[] { 10f, 20f, 30f, 40f }, 1, 4));
        Assert.Equal(new long[] { 1, 4 }, y.Shape);
        Assert.Equal(new[] { 11f, 22f, 33f, 44f }, y.As<float>());
        Assert.Equal(OnnxDevice.Cpu, session.Device);
    }

    [Fact]
    public void SymbolicBatchIsMinusOneAndAcceptsAnyBatch()
    {
        using var dir = new TempFolder();
        string path = dir.File("dyn.onnx");
        OnnxModelWriter.Write(path, AddModel("N"));
        using var session = OnnxSession.Open(path);
        Assert.Equal(new long[] { -1, 4 }, session.Inputs[0].Shape);
        var y = session.Run(OnnxTensor.Of(new float[12], 3, 4));
        Assert.Equal(new long[] { 3, 4 }, y.Shape);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 1f, 2f, 3f, 4f, 1f, 2f, 3f, 4f }, y.As<float>());
    }

    [Fact]
    public void ConcurrentRunsGiveTheirOwnResults()
    {
        using var dir = new TempFolder();
        string path = dir.File("dyn.onnx");
        OnnxModelWriter.Write(path, AddModel("N"));
        using var session = OnnxSession.Open(path);
        Parallel.For(0, 64, i =>
        {
            var y = session.Run(OnnxTensor.Of(new float[] { i, i, i, i }, 1, 4)).As<float>();
            Assert.Equal(new[] { i + 1f, i + 2f, i + 3f, i + 4f }, y);
        });
    }

    [Fact]
    public void WrongInputTypeOrShapeIsAClearError()
    {
        using var dir = new TempFolder();
        string path = dir.File("add.onnx");
        OnnxModelWriter.Write(path, AddModel(1));
        using var session = OnnxSession.Open(path);
        var e1 = Assert.Throws<ArgumentException>(() => session.Run(OnnxTensor.Of(new double[4], 1, 4)));
        Assert.Contains("takes Float, not Double", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => session.Run(OnnxTensor.Of(new float[6], 1, 6)));
        Assert.Contains("x: Float[1, 4]", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => session.Run(new[] { ("nope", OnnxTensor.Of(new float[4], 1, 4)) }));
        Assert.Contains("no input named 'nope'", e3.Message);
    }

    [Fact]
    public void OrtErrorsBecomeExceptionsWithTheRuntimesMessage()
    {
        // A graph whose node names an input that does not exist: ORT refuses it with INVALID_GRAPH.
        using var dir = new TempFolder();
        var g = new OnnxGraph();
        g.AddInput("x", OnnxElementType.Float, 1, 4);
        g.AddNode("Add", new[] { "x", "missing" }, new[] { "y" });
        g.AddOutput("y", OnnxElementType.Float, 1, 4);
        string path = dir.File("bad graph.onnx");
        OnnxModelWriter.Write(path, g);
        var e = Assert.Throws<OnnxModelException>(() => OnnxSession.Open(path));
        Assert.Equal(Path.GetFullPath(path), e.FilePath);
        var ort = Assert.IsType<OnnxRuntimeException>(e.InnerException);
        Assert.NotEqual(OrtErrorCode.Ok, ort.Code);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void CorruptAndTruncatedModelsNameTheFileAndDefect()
    {
        using var dir = new TempFolder();
        byte[] good = OnnxModelWriter.ToBytes(AddModel(1));
        string truncated = dir.File("truncated.onnx");
        File.WriteAllBytes(truncated, good[..(good.Length / 2)]);
        var e1 = Assert.Throws<OnnxModelException>(() => OnnxSession.Open(truncated));
        Assert.Contains("truncated", e1.Defect);
        Assert.Contains("truncated.onnx", e1.Message);

        string garbage = dir.File("garbage.onnx");
        File.WriteAllBytes(garbage, "this is not a model at all"u8.ToArray());
        var e2 = Assert.Throws<OnnxModelException>(() => OnnxSession.Open(garbage));
        Assert.Contains("garbage.onnx", e2.Message);

        string empty = dir.File("empty.onnx");
        File.WriteAllBytes(empty, Array.Empty<byte>());
        Assert.Contains("empty", Assert.Throws<OnnxModelException>(() => OnnxSession.Open(empty)).Defect);

        Assert.Throws<FileNotFoundException>(() => OnnxSession.Open(dir.File("absent.onnx")));
    }

    [Fact]
    public void ReaderSeesWhatTheWriterWrote()
    {
        using var dir = new TempFolder();
        string path = dir.File("m.onnx");
        OnnxModelWriter.Write(path, AddModel("batch"));
        var info = OnnxModelReader.Read(path);
        Assert.Equal(OnnxModelWriter.DefaultIrVersion, info.IrVersion);
        Assert.Equal(("", OnnxModelWriter.DefaultOpset), info.Opsets.Single());
        Assert.Equal("add", info.GraphName);
        Assert.Equal(1, info.NodeCount);
        Assert.Equal(1, info.InitializerCount);
        var x = info.RealInputs.Single();
        Assert.Equal("x", x.Name);
        Assert.Equal(new OnnxDim[] { "batch", 4 }, x.Shape);
        Assert.Equal("y", info.Outputs.Single().Name);
    }

    [Fact]
    public void ProvidersIncludeCpuAndCudaRequestOnCpuBuildIsAClearError()
    {
        var providers = OnnxRuntime.AvailableProviders();
        Assert.Contains(OnnxRuntime.CpuProvider, providers);
        Assert.StartsWith("1.", OnnxRuntime.Version);
        using var dir = new TempFolder();
        string path = dir.File("add.onnx");
        OnnxModelWriter.Write(path, AddModel(1));
        using var auto = OnnxSession.Open(path, new OnnxSessionOptions { Device = OnnxDevice.Auto });
        if (auto.Device == OnnxDevice.Cuda) return; // a working GPU build: nothing to refuse
        // The npm CPU build lists CUDA but lacks its provider libraries; -Device Cuda must say so, Auto falls back.
        var e = Assert.Throws<NotSupportedException>(() => OnnxSession.Open(path, new OnnxSessionOptions { Device = OnnxDevice.Cuda }));
        Assert.Contains("CUDA execution provider", e.Message);
        Assert.Contains("-Device Cpu", e.Message);
    }

    [Fact]
    public void DisposedSessionRefusesToRunAndDoubleDisposeIsHarmless()
    {
        using var dir = new TempFolder();
        string path = dir.File("add.onnx");
        OnnxModelWriter.Write(path, AddModel(1));
        var session = OnnxSession.Open(path);
        session.Dispose();
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Run(OnnxTensor.Of(new float[4], 1, 4)));
    }
}
