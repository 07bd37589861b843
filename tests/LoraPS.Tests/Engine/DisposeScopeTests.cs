using LoraPS.Tests.Support;
using LoraPS.Torch;

namespace LoraPS.Tests.Engine;

[Collection(NativeTensorCountingCollection.Name)]
public sealed class DisposeScopeTests
{
    [Fact]
    public void A_scope_frees_its_intermediates_but_not_what_is_moved_out()
    {
        EngineTestSupport.CollectGarbage();
        long before = torch.live_tensor_count();
        Tensor kept;
        Tensor inner;
        using (var scope = torch.NewDisposeScope())
        {
            var a = torch.ones(3);
            var b = a * 2 + 1;
            inner = b;
            kept = (b * b).MoveToOuterDisposeScope();
            Assert.True(torch.live_tensor_count() >= before + 4);
        }
        Assert.True(inner.IsInvalid);
        Assert.Throws<ObjectDisposedException>(() => inner.sum());
        Assert.Equal(new float[] { 9, 9, 9 }, kept.data<float>());
        Assert.Equal(before + 1, torch.live_tensor_count());
        kept.Dispose();
        Assert.Equal(before, torch.live_tensor_count());
    }

    [Fact]
    public void Nested_scopes_hand_kept_tensors_to_the_outer_scope()
    {
        EngineTestSupport.CollectGarbage();
        long before = torch.live_tensor_count();
        Tensor survivor;
        using (var outer = torch.NewDisposeScope())
        {
            using (var inner = torch.NewDisposeScope())
            {
                survivor = torch.zeros(2).MoveToOuterDisposeScope();
                torch.ones(2);
            }
            Assert.False(survivor.IsInvalid);
            Assert.Same(outer, DisposeScope.Current);
        }
        Assert.True(survivor.IsInvalid);
        Assert.Null(DisposeScope.Current);
        Assert.Equal(before, torch.live_tensor_count());
    }

    [Fact]
    public void A_scope_opened_after_another_closed_owns_only_its_own_tensors()
    {
        // scopes reuse a per-thread list: the closed scope must not see or free the next one's tensors
        var first = torch.NewDisposeScope();
        var gone = torch.ones(2);
        first.Dispose();
        Assert.True(gone.IsInvalid);
        var second = torch.NewDisposeScope();
        var live = torch.ones(2);
        Assert.Equal(0, first.Count);
        Assert.Equal(1, second.Count);
        first.Dispose();
        Assert.False(live.IsInvalid);
        second.Dispose();
        Assert.True(live.IsInvalid);
        Assert.Null(DisposeScope.Current);
    }

    [Fact]
    public void No_grad_scope_stops_recording_and_restores()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.ones(new long[] { 2 }, requires_grad: true);
        Assert.True(torch.is_grad_enabled());
        using (torch.no_grad())
        {
            Assert.False(torch.is_grad_enabled());
            Assert.False((w * 2).requires_grad);
            using (torch.enable_grad()) Assert.True((w * 2).requires_grad);
            Assert.False(torch.is_grad_enabled());
        }
        Assert.True(torch.is_grad_enabled());
        Assert.True((w * 2).requires_grad);
    }

    [Fact]
    public void Disposed_and_null_handles_are_managed_errors_not_crashes()
    {
        var t = torch.ones(2);
        t.Dispose();
        t.Dispose();
        Assert.Throws<ObjectDisposedException>(() => t.add(t));
        Assert.Throws<NullReferenceException>(() => torch.ones(2).add(null!));
    }
}
