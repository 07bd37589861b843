using LoraPS.Torch;

namespace LoraPS.Tests.Engine;

internal static class EngineTestSupport
{
    /// <summary>Runs finalizers of tensors other tests forgot, so live-tensor counts stay still while measured.</summary>
    public static void CollectGarbage()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    public static void AssertClose(Tensor expected, Tensor actual, double tol, string what = "")
    {
        var e = expected.to(ScalarType.Float64).data<double>();
        var a = actual.to(ScalarType.Float64).data<double>();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol * (1 + Math.Abs(e[i])), $"{what}[{i}]: expected {e[i]}, got {a[i]}");
    }
}
