namespace LoraPS.Workflows.Lora;

/// <summary>Progress of a LoRA tool: <paramref name="Done"/> of <paramref name="Total"/> steps (modules or tensors), what is being done.</summary>
public sealed record LoraProgress(string Activity, int Done, int Total, string Current)
{
    public int Percent => Total > 0 ? (int)(100L * Done / Total) : 0;
}
