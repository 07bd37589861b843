using LoraPS.Torch.Interop;
using static LoraPS.Torch.Interop.LibTorchNative;

namespace LoraPS.Torch;

#pragma warning disable IDE1006 // naming: mirrors torch
public static unsafe partial class torch
{
    private static Tensor Made(IntPtr handle, bool requires_grad)
    {
        var t = new Tensor(handle);
        if (requires_grad) t.requires_grad_(true);
        return t;
    }

    private static (int type, int index) Dev(Device? device) => device is Device d ? ((int)d.type, d.NativeIndex) : (0, -1);
    private static IntPtr Gen(Generator? g) => g?.Handle ?? IntPtr.Zero;

    public static Tensor empty(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        LibTorchLoader.EnsureLoaded();
        var (dt, di) = Dev(device);
        fixed (long* p = size) return Made(lt_empty(p, size.Length, (int)dtype, dt, di), requires_grad);
    }

    public static Tensor full(long[] size, double value, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        LibTorchLoader.EnsureLoaded();
        var (dt, di) = Dev(device);
        fixed (long* p = size) return Made(lt_full(p, size.Length, value, (int)dtype, dt, di), requires_grad);
    }

    public static Tensor zeros(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        full(size, 0, dtype, device, requires_grad);
    public static Tensor zeros(params long[] size) => zeros(size, ScalarType.Float32);
    public static Tensor ones(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        full(size, 1, dtype, device, requires_grad);
    public static Tensor ones(params long[] size) => ones(size, ScalarType.Float32);
    public static Tensor zeros_like(Tensor t, ScalarType? dtype = null) => zeros(t.shape, dtype ?? t.dtype, t.device);
    public static Tensor ones_like(Tensor t, ScalarType? dtype = null) => ones(t.shape, dtype ?? t.dtype, t.device);
    public static Tensor full_like(Tensor t, double value) => full(t.shape, value, t.dtype, t.device);
    public static Tensor empty_like(Tensor t) => empty(t.shape, t.dtype, t.device);

    /// <summary>Values start, start+step, … below end (float32 unless a dtype is given; int64 for whole-number arguments as PyTorch).</summary>
    public static Tensor arange(double start, double end, double step = 1, ScalarType? dtype = null, Device? device = null)
    {
        LibTorchLoader.EnsureLoaded();
        var (dt, di) = Dev(device);
        bool whole = start == Math.Floor(start) && end == Math.Floor(end) && step == Math.Floor(step);
        var type = dtype ?? (whole ? ScalarType.Int64 : ScalarType.Float32);
        return new Tensor(lt_arange(start, end, step, (int)type, dt, di));
    }
    public static Tensor arange(long end, ScalarType? dtype = null, Device? device = null) => arange(0, end, 1, dtype, device);

    public static Tensor linspace(double start, double end, long steps, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        LibTorchLoader.EnsureLoaded();
        var (dt, di) = Dev(device);
        return new Tensor(lt_linspace(start, end, steps, (int)dtype, dt, di));
    }

    public static Tensor eye(long n, long? m = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        LibTorchLoader.EnsureLoaded();
        var (dt, di) = Dev(device);
        return new Tensor(lt_eye(n, m ?? n, (int)dtype, dt, di));
    }

    /// <summary>Standard normal samples; <paramref name="generator"/> null uses the default (seeded by manual_seed).</summary>
    public static Tensor randn(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, Generator? generator = null, bool requires_grad = false)
    {
        LibTorchLoader.EnsureLoaded();
        var (dt, di) = Dev(device);
        fixed (long* p = size) return Made(lt_randn(p, size.Length, Gen(generator), (int)dtype, dt, di), requires_grad);
    }
    public static Tensor randn(params long[] size) => randn(size, ScalarType.Float32);

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor rand(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, Generator? generator = null, bool requires_grad = false)
    {
        LibTorchLoader.EnsureLoaded();
        var (dt, di) = Dev(device);
        fixed (long* p = size) return Made(lt_rand(p, size.Length, Gen(generator), (int)dtype, dt, di), requires_grad);
    }
    public static Tensor rand(params long[] size) => rand(size, ScalarType.Float32);

    /// <summary>Integers uniformly in [low, high).</summary>
    public static Tensor randint(long low, long high, long[] size, ScalarType dtype = ScalarType.Int64, Device? device = null, Generator? generator = null)
    {
        LibTorchLoader.EnsureLoaded();
        var (dt, di) = Dev(device);
        fixed (long* p = size) return new Tensor(lt_randint(low, high, p, size.Length, Gen(generator), (int)dtype, dt, di));
    }

    public static Tensor normal(double mean, double std, long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, Generator? generator = null)
    {
        LibTorchLoader.EnsureLoaded();
        var (dt, di) = Dev(device);
        fixed (long* p = size) return new Tensor(lt_normal(mean, std, p, size.Length, Gen(generator), (int)dtype, dt, di));
    }

    /// <summary>0/1 samples with the probabilities in <paramref name="probs"/>.</summary>
    public static Tensor bernoulli(Tensor probs, Generator? generator = null) => new(lt_bernoulli(probs.Handle, Gen(generator)));

    public static Tensor randperm(long n, Device? device = null, Generator? generator = null)
    {
        LibTorchLoader.EnsureLoaded();
        var (dt, di) = Dev(device);
        return new Tensor(lt_randperm(n, Gen(generator), dt, di));
    }

    public static Tensor randn_like(Tensor t, Generator? generator = null) => randn(t.shape, t.dtype, t.device, generator);
    public static Tensor rand_like(Tensor t, Generator? generator = null) => rand(t.shape, t.dtype, t.device, generator);
}
