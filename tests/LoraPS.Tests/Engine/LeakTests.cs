using System.Diagnostics;
using LoraPS.Tests.Support;
using LoraPS.Torch;
using LoraPS.Torch.Optim;
using F = LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Tests.Engine;

[Collection(NativeTensorCountingCollection.Name)]
public sealed class LeakTests
{
    private static long ResidentBytes()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }

    [Fact]
    public void Thousands_of_training_steps_return_live_tensors_and_memory_to_baseline()
    {
        using var net = new TrainingFitTests.SmallNet();
        using var opt = new SGD(net.parameters(), lr: 1e-3, momentum: 0.9);
        using var g = new Generator(1);
        using var x = torch.randn(new long[] { 2, 3, 8, 8 }, generator: g);
        using var target = torch.zeros(2, 3, 8, 8);

        void Step(int i)
        {
            using var scope = torch.NewDisposeScope();
            net.Checkpointing = i % 2 == 1;
            opt.zero_grad();
            var loss = F.mse_loss(net.call(x), target);
            loss.backward();
            opt.step();
        }

        for (int i = 0; i < 50; i++) Step(i); // warm up allocator caches and optimizer state
        EngineTestSupport.CollectGarbage();
        long tensors = torch.live_tensor_count();
        long rss = ResidentBytes();

        for (int i = 0; i < 3000; i++) Step(i);
        opt.zero_grad();
        for (int i = 0; i < 50; i++) Step(i);

        EngineTestSupport.CollectGarbage();
        Assert.Equal(tensors, torch.live_tensor_count());
        long grown = ResidentBytes() - rss;
        Assert.True(grown < 32L * 1024 * 1024, $"resident memory grew by {grown / 1024} KiB over 3000 steps");
    }
}

[Collection(NativeTensorCountingCollection.Name)]
public sealed class ReleaseFreeMemoryTests
{
    [Fact]
    public void Freed_buffers_kept_by_the_tuned_allocator_go_back_to_the_system_on_request()
    {
        using (var probe = torch.ones(1)) { } // loads libtorch, which applies LORAPS_MALLOC
        Assert.NotNull(LoraPS.Torch.Interop.MallocTuning.InEffect);
        if (LoraPS.Torch.Interop.MallocTuning.InEffect!.Applied == false)
        {
            Assert.False(LoraPS.Torch.Interop.MallocTuning.ReleaseFreeMemory());
            return; // LORAPS_MALLOC=default or not glibc: nothing is kept, nothing to release
        }
        EngineTestSupport.CollectGarbage();
        LoraPS.Torch.Interop.MallocTuning.ReleaseFreeMemory();
        long baseline = ResidentBytes();
        // 16 buffers of 16 MiB: under every arena's mmap limit, so the tuned heap keeps them once freed.
        var buffers = Enumerable.Range(0, 16).Select(_ => torch.ones(4L << 20)).ToList();
        long used = ResidentBytes();
        foreach (var b in buffers) b.Dispose();
        long kept = ResidentBytes();
        Assert.True(LoraPS.Torch.Interop.MallocTuning.ReleaseFreeMemory());
        long after = ResidentBytes();
        Assert.True(after - baseline < 64L << 20, $"after releasing, {(after - baseline) >> 20} MiB of the freed 256 MiB are still resident (baseline {baseline >> 20} MiB, kept {kept >> 20} MiB)");
    }

    private static long ResidentBytes()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }
}
