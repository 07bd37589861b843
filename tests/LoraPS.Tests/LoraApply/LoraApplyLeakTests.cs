using LoraPS.Models.Lora;
using LoraPS.Models.Lora.Inference;
using LoraPS.Tests.Engine;
using LoraPS.Tests.Lora;
using LoraPS.Tests.Support;
using LoraPS.Torch;
using static LoraPS.Tests.LoraApply.InferenceModels;

namespace LoraPS.Tests.LoraApply;

[Collection(NativeTensorCountingCollection.Name)]
public sealed class LoraApplyLeakTests
{
    [Fact]
    public void Applying_running_and_disposing_loras_returns_every_tensor()
    {
        using var folder = new TempFolder("lora leak");
        using var te = NewTextEncoder();
        using var unet = NewUNet();
        var layers = AllLayers(te, unet);
        TestLoras.WriteLora(folder.File("lora.safetensors"), layers, rank: 2, alpha: 1, convRank: 2, convAlpha: 1);
        WriteLoha(folder.File("loha.safetensors"), layers.Where(l => !l.FourD), rank: 2, alpha: 1, seed: 1);
        using var lora = LoraFile.Open(folder.File("lora.safetensors"));
        using var loha = LoraFile.Open(folder.File("loha.safetensors"));
        using var ids = Ids(1);
        using var x = new UNetInputs(2);

        void Round()
        {
            using var a = LoraInference.Apply(lora, 0.5, 0.5, te, unet);
            using var b = LoraInference.Apply(loha, 1, -1, te, unet);
            Encode(te, ids);
            Denoise(unet, x);
        }

        Round();
        EngineTestSupport.CollectGarbage();
        long baseline = torch.live_tensor_count();
        for (int i = 0; i < 5; i++) Round();
        // No garbage collection here: adapters must free their tensors when disposed, not when finalised.
        Assert.Equal(baseline, torch.live_tensor_count());
        Assert.Equal(0, AdapterCount(te) + AdapterCount(unet));
    }
}
