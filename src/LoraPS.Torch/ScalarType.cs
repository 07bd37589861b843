namespace LoraPS.Torch;

/// <summary>Element types, numbered as libtorch's c10::ScalarType (stable across 1.13 and 2.x).</summary>
public enum ScalarType
{
    Byte = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Float16 = 5,
    Float32 = 6,
    Float64 = 7,
    Bool = 11,
    BFloat16 = 15,
}
