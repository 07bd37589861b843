using LoraPS.Formats;
using LoraPS.Models;
using LoraPS.Models.Checkpoints;
using LoraPS.Models.Lora;

namespace LoraPS.Workflows.Lora;

/// <summary>
/// Get-LoraModel / `loraps info`: opens a .safetensors or .ckpt file and describes it as a
/// <see cref="LoraModel"/> (LoRA, LoCon, LoHa, LoKr, DyLoRA, diffusers/PEFT layouts) or a
/// <see cref="Checkpoint"/> (SD1/SD2/SDXL). Reads headers and a few scalars only.
/// </summary>
public static class ModelInfoWorkflow
{
    /// <summary>A <see cref="LoraModel"/> or a <see cref="Checkpoint"/>.</summary>
    public static object Inspect(string path)
    {
        var tensors = TensorFiles.Open(path);
        if (LoraFile.LooksLikeLora(tensors))
        {
            using var lora = LoraFile.From(tensors);
            return LoraInspector.Describe(lora);
        }
        using (tensors)
        {
            if (CheckpointRecognizer.LooksLikeCheckpoint(tensors)) return CheckpointRecognizer.Describe(tensors);
            throw new InvalidFileException(tensors.Path, "neither a LoRA (no lora_down/lora_up, hada_*, lokr_*, lora_A/lora_B keys) nor a Stable Diffusion checkpoint (no model.diffusion_model.* keys)");
        }
    }

    /// <summary>Only LoRAs: a checkpoint is an error here.</summary>
    public static LoraModel InspectLora(string path) => Inspect(path) as LoraModel
        ?? throw new InvalidFileException(Path.GetFullPath(path), "is a checkpoint, not a LoRA");
}
