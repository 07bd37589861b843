using LoraPS.Tests.Engine;
using LoraPS.Tests.Support;
using LoraPS.Torch;

namespace LoraPS.Tests.Foundation;

[Collection(NativeTensorCountingCollection.Name)]
public sealed class NativeHandleTests
{
    [Fact]
    public void Disposed_tensors_release_their_native_handles()
    {
        EngineTestSupport.CollectGarbage();
        long baseline = torch.live_tensor_count();
        for (int i = 0; i < 100; i++)
        {
            using var a = torch.tensor(new float[] { 1, 2 }, 2);
            using var b = a + a;
            Assert.Equal(new float[] { 2, 4 }, b.data<float>());
        }
        Assert.Equal(baseline, torch.live_tensor_count());
    }
}
