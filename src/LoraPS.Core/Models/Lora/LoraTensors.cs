using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Torch;

namespace LoraPS.Models.Lora;

/// <summary>
/// Moves LoRA and checkpoint tensors between files and the engine: float32 tensors from stored
/// bytes (F16/BF16 converted by libtorch), each module's factors, and its dense weight delta for
/// every factorisation (LoRA up@down, LoHa Hadamard, LoKr Kronecker, Tucker forms).
/// </summary>
public static class LoraTensors
{
    public static SafeTensorDType DTypeOf(ScalarType type) => type switch
    {
        ScalarType.Float32 => SafeTensorDType.F32,
        ScalarType.Float16 => SafeTensorDType.F16,
        ScalarType.BFloat16 => SafeTensorDType.BF16,
        ScalarType.Float64 => SafeTensorDType.F64,
        ScalarType.Int64 => SafeTensorDType.I64,
        _ => throw new NotSupportedException($"no safetensors dtype for {type}"),
    };

    /// <summary>A float32 tensor with the stored tensor's shape.</summary>
    public static Tensor Load(ITensorFile file, string key)
    {
        var info = file.GetInfo(key);
        if (ModelWeights.ScalarTypeOf(info.DType) is { } st)
        {
            using var raw = torch.from_bytes(file.ReadBytes(key), st, info.Shape);
            return raw.to(ScalarType.Float32, copy: true);
        }
        return torch.tensor(file.ReadSingles(key), info.Shape.Length == 0 ? new long[] { 1 } : info.Shape).reshape(info.Shape);
    }

    /// <summary>The float32 up [out, r] and down [r, in·kh·kw] of a LoRA-algorithm module.</summary>
    public static (Tensor Up, Tensor Down) Factors(LoraFile file, LoraModule module)
    {
        if (module.Algorithm != LoraAlgorithm.LoRA) throw new InvalidOperationException($"{module.Name} is {module.Algorithm}, not an up/down LoRA");
        using var scope = torch.NewDisposeScope();
        var up = Load(file.Tensors, module.TensorKeys["up"]);
        var down = Load(file.Tensors, module.TensorKeys["down"]);
        var up2 = up.reshape(up.size(0), up.size(1));
        var down2 = down.reshape(down.size(0), -1);
        return (scope.MoveToOuter(up2.contiguous()), scope.MoveToOuter(down2.contiguous()));
    }

    /// <summary>The unscaled delta as a float32 [out, in·kh·kw] matrix (multiply by <see cref="LoraModule.Scale"/> and the ratio).</summary>
    public static Tensor DenseDelta(LoraFile file, LoraModule module)
    {
        if (module.TensorKeys.ContainsKey("dora_scale"))
            throw new NotSupportedException($"{file.Path}: module '{module.Name}' is DoRA (dora_scale), which LoraPS does not merge yet");
        using var scope = torch.NewDisposeScope();
        Tensor T(string role) => Load(file.Tensors, module.TensorKeys[role]);
        bool Has(string role) => module.TensorKeys.ContainsKey(role);
        Tensor result;
        switch (module.Algorithm)
        {
            case LoraAlgorithm.LoRA:
            {
                var (up, down) = Factors(file, module);
                result = up.matmul(down);
                break;
            }
            case LoraAlgorithm.LoHa:
            {
                Tensor Branch(string a, string b, string t)
                {
                    if (Has(t)) return torch.einsum("ao,abhw,bi->oihw", T(a), T(t), T(b)).reshape(module.OutFeatures, -1);
                    return T(a).matmul(T(b));
                }
                result = Branch("hada_w1_a", "hada_w1_b", "hada_t1").mul(Branch("hada_w2_a", "hada_w2_b", "hada_t2"));
                break;
            }
            case LoraAlgorithm.LoKr:
            {
                var w1 = Has("lokr_w1") ? T("lokr_w1") : T("lokr_w1_a").matmul(T("lokr_w1_b"));
                Tensor w2;
                if (Has("lokr_w2")) w2 = T("lokr_w2");
                else if (Has("lokr_t2")) w2 = torch.einsum("xb,xyhw,yd->bdhw", T("lokr_w2_a"), T("lokr_t2"), T("lokr_w2_b"));
                else w2 = T("lokr_w2_a").matmul(T("lokr_w2_b"));
                long a = w1.size(0), c = w1.size(1), b = w2.size(0);
                w2 = w2.reshape(b, -1, module.KernelHeight, module.KernelWidth);
                long d = w2.size(1);
                result = torch.einsum("ac,bdhw->abcdhw", w1, w2).reshape(a * b, c * d * module.KernelHeight * module.KernelWidth);
                break;
            }
            default:
                throw new NotSupportedException(module.Algorithm.ToString());
        }
        long cols = module.InFeatures * module.KernelHeight * module.KernelWidth;
        if (result.size(0) != module.OutFeatures || result.size(1) != cols)
            throw new InvalidFileException(file.Path, $"module '{module.Name}' rebuilds to [{result.size(0)}, {result.size(1)}], expected [{module.OutFeatures}, {cols}]");
        return scope.MoveToOuter(result.contiguous());
    }

    /// <summary>Raw bytes of <paramref name="t"/> cast to <paramref name="dtype"/>.</summary>
    public static byte[] Bytes(Tensor t, SafeTensorDType dtype)
    {
        var st = ModelWeights.ScalarTypeOf(dtype) ?? (dtype == SafeTensorDType.I64 ? ScalarType.Int64 : throw new NotSupportedException($"cannot write {dtype}"));
        using var cast = t.to(st).contiguous();
        return cast.bytes();
    }

    /// <summary>A writer entry holding <paramref name="t"/> cast to <paramref name="dtype"/> with <paramref name="shape"/>.</summary>
    public static SafeTensorEntry Entry(string name, Tensor t, SafeTensorDType dtype, long[] shape) =>
        SafeTensorEntry.FromBytes(name, dtype, shape, Bytes(t, dtype));

    /// <summary>A scalar (0-d) alpha entry.</summary>
    public static SafeTensorEntry Scalar(string name, double value, SafeTensorDType dtype)
    {
        using var t = torch.tensor(value);
        return Entry(name, t, dtype, Array.Empty<long>());
    }
}
