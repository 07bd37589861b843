using LoraPS.Torch;
using LoraPS.Torch.Modules;

namespace LoraPS.Tests.Engine;

public sealed class AutogradTests
{
    [Fact]
    public void Backward_fills_leaf_grads_with_hand_computed_values()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2, 3 }).requires_grad_();
        var y = (x * x * 3).sum(); // dy/dx = 6x
        y.backward();
        Assert.Equal(new double[] { 6, 12, 18 }, x.grad!.data<double>());
        Assert.True(x.is_leaf);
        Assert.False(y.is_leaf);
        Assert.True(y.has_grad_fn);
    }

    [Fact]
    public void Backward_with_a_given_gradient_and_accumulation_and_zeroing()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2 }).requires_grad_();
        var y = x * 2;
        y.backward(torch.tensor(new double[] { 1, 10 }), retain_graph: true);
        Assert.Equal(new double[] { 2, 20 }, x.grad!.data<double>());
        y.backward(torch.tensor(new double[] { 1, 1 }));
        Assert.Equal(new double[] { 4, 22 }, x.grad!.data<double>()); // accumulates
        x.grad!.zero_();
        Assert.Equal(new double[] { 0, 0 }, x.grad!.data<double>());
        x.grad = null;
        Assert.Null(x.grad);
    }

    [Fact]
    public void A_second_backward_without_retain_graph_is_a_managed_error()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2 }).requires_grad_();
        var y = (x.exp() * x).sum();
        y.backward();
        var ex = Assert.Throws<TorchException>(() => y.backward());
        Assert.Contains("second time", ex.Message);
        var z = x.sum() * 0 + torch.ones(2).sum();
        Assert.Throws<TorchException>(() => torch.ones(2).backward()); // no grad_fn, not a scalar
    }

    [Fact]
    public void Detach_cuts_the_graph_and_shares_storage()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2 }).requires_grad_();
        var d = (x * 2).detach();
        Assert.False(d.requires_grad);
        var y = (x * d).sum();
        y.backward();
        Assert.Equal(new double[] { 2, 4 }, x.grad!.data<double>()); // d treated as a constant
    }

    [Fact]
    public void Hooks_read_and_replace_gradients_and_can_be_removed()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, -5, 3 }).requires_grad_();
        double[]? seen = null;
        using (x.register_hook(g => { seen = g.data<double>(); return g.clamp(-2, 2); }))
        {
            (x * torch.tensor(new double[] { 1, -5, 3 })).sum().backward();
        }
        Assert.Equal(new double[] { 1, -5, 3 }, seen);
        Assert.Equal(new double[] { 1, -2, 2 }, x.grad!.data<double>());
        x.grad = null;
        seen = null;
        (x * 3).sum().backward(); // hook removed
        Assert.Null(seen);
        Assert.Equal(new double[] { 3, 3, 3 }, x.grad!.data<double>());
    }

    [Fact]
    public void A_throwing_hook_becomes_a_managed_error()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1 }).requires_grad_();
        using var hook = x.register_hook(_ => throw new InvalidOperationException("boom"));
        var ex = Assert.Throws<TorchException>(() => (x * 2).sum().backward());
        Assert.Contains("hook", ex.Message);
    }

    [Fact]
    public void Clip_grad_norm_and_value()
    {
        using var scope = torch.NewDisposeScope();
        var a = new Parameter(torch.tensor(new double[] { 0, 0 }));
        var b = new Parameter(torch.tensor(new double[] { 0 }));
        try
        {
            (a * torch.tensor(new double[] { 3, 0 }) + 0).sum().backward();
            (b * 4).sum().backward();
            double norm = torch.nn.utils.clip_grad_norm_(new[] { a, b }, 1.0);
            Assert.Equal(5.0, norm, 10);
            Assert.Equal(0.6, a.grad!.data<double>()[0], 5);
            Assert.Equal(0.8, b.grad!.data<double>()[0], 5);
            torch.nn.utils.clip_grad_value_(new[] { a, b }, 0.7);
            Assert.Equal(0.7, b.grad!.data<double>()[0], 10);
        }
        finally { a.Dispose(); b.Dispose(); }
    }

    [Fact]
    public void Grad_mode_is_thread_local_and_no_grad_results_do_not_require_grad()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.ones(new long[] { 2 }, requires_grad: true);
        using (torch.no_grad())
        {
            bool other = false;
            var thread = new Thread(() => other = torch.is_grad_enabled());
            thread.Start();
            thread.Join();
            Assert.True(other);
            Assert.False((w + 1).requires_grad);
        }
    }
}
