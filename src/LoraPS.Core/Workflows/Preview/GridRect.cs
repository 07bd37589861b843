namespace LoraPS.Workflows.Preview;

/// <summary>A rectangle of pixels in a grid image: columns X to X+Width−1, rows Y to Y+Height−1.</summary>
public readonly record struct GridRect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;
    public int Bottom => Y + Height;

    public bool Contains(int x, int y) => x >= X && x < Right && y >= Y && y < Bottom;

    public bool Intersects(GridRect other) =>
        X < other.Right && other.X < Right && Y < other.Bottom && other.Y < Bottom;
}
