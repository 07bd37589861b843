using LoraPS.Torch;
using LoraPS.Torch.Modules;
using LoraPS.Torch.Optim;

namespace LoraPS.Tests.Engine;

public sealed class AmpTests
{
    [Fact]
    public void Cpu_autocast_runs_matmul_and_linear_in_bfloat16_inside_the_scope_only()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(4, 4);
        var b = torch.randn(4, 4);
        using var lin = new Linear(4, 2);
        using (torch.autocast(DeviceType.CPU, ScalarType.BFloat16))
        {
            Assert.True(torch.is_autocast_enabled(DeviceType.CPU));
            Assert.Equal(ScalarType.BFloat16, a.matmul(b).dtype);
            Assert.Equal(ScalarType.BFloat16, lin.call(a).dtype);
            Assert.Equal(ScalarType.Float32, (a + b).dtype); // elementwise ops keep float32
            using (torch.autocast(DeviceType.CPU, ScalarType.BFloat16, enabled: false))
                Assert.Equal(ScalarType.Float32, a.matmul(b).dtype);
            Assert.Equal(ScalarType.BFloat16, a.matmul(b).dtype);
        }
        Assert.False(torch.is_autocast_enabled(DeviceType.CPU));
        Assert.Equal(ScalarType.Float32, a.matmul(b).dtype);
        var close = a.matmul(b);
        using (torch.autocast("cpu", ScalarType.BFloat16))
            Assert.True(a.matmul(b).to(ScalarType.Float32).allclose(close, 0.05, 0.1));
        Assert.Throws<ArgumentException>(() => torch.autocast(DeviceType.CPU, ScalarType.Float16));
    }

    [Fact]
    public void Autocast_backward_gives_float32_grads_for_float32_leaves()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.randn(new long[] { 3, 3 }, requires_grad: true);
        var x = torch.randn(2, 3);
        using (torch.autocast(DeviceType.CPU, ScalarType.BFloat16))
        {
            var y = x.matmul(w).sum();
            y.backward();
        }
        Assert.Equal(ScalarType.Float32, w.grad!.dtype);
    }

    [Fact]
    public void Grad_scaler_skips_inf_steps_backs_off_and_grows()
    {
        using var scope = torch.NewDisposeScope();
        var p = new Parameter(torch.tensor(new float[] { 1, 1 }));
        using var opt = new SGD(new[] { p }, lr: 0.1);
        var scaler = new GradScaler(init_scale: 1024, growth_interval: 2);

        // clean step: grads are unscaled to the true gradient (2) and applied
        opt.zero_grad();
        scaler.scale((p * 2).sum()).backward();
        Assert.Equal(2048f, p.grad!.data<float>()[0]);
        Assert.True(scaler.step(opt));
        scaler.update();
        Assert.Equal(new float[] { 0.8f, 0.8f }, p.data<float>());
        Assert.Equal(1024, scaler.scale_value);

        // inf gradient: step skipped, scale halves
        opt.zero_grad();
        scaler.scale((p * float.PositiveInfinity).sum()).backward();
        Assert.False(scaler.step(opt));
        scaler.update();
        Assert.Equal(new float[] { 0.8f, 0.8f }, p.data<float>());
        Assert.Equal(512, scaler.scale_value);
        Assert.Equal(1, scaler.skipped_steps);

        // two clean steps in a row: scale doubles
        for (int i = 0; i < 2; i++)
        {
            opt.zero_grad();
            scaler.scale(p.sum()).backward();
            Assert.True(scaler.step(opt));
            scaler.update();
        }
        Assert.Equal(1024, scaler.scale_value);
        p.Dispose();
    }
}
