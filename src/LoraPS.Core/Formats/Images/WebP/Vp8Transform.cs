namespace LoraPS.Formats.Images.WebP;

/// <summary>VP8's inverse transforms: the 4×4 integer DCT added onto the prediction, and the Walsh–Hadamard transform of the luma DC terms.</summary>
internal static class Vp8Transform
{
    private static int Mul1(int a) => ((a * 20091) >> 16) + a;   // a·√2·cos(π/8)
    private static int Mul2(int a) => (a * 35468) >> 16;         // a·√2·sin(π/8)

    /// <summary>Adds the inverse DCT of 16 coefficients (raster order) to the 4×4 pixels at <paramref name="dst"/>.</summary>
    public static unsafe void AddInverse(short* input, byte* dst, int stride)
    {
        // All-zero blocks are common: nothing to add.
        long* q = (long*)input;
        if ((q[0] | q[1] | q[2] | q[3]) == 0) return;
        int* tmp = stackalloc int[16];
        for (int i = 0; i < 4; i++)
        {
            int a = input[i] + input[8 + i];
            int b = input[i] - input[8 + i];
            int c = Mul2(input[4 + i]) - Mul1(input[12 + i]);
            int d = Mul1(input[4 + i]) + Mul2(input[12 + i]);
            tmp[i * 4 + 0] = a + d;
            tmp[i * 4 + 1] = b + c;
            tmp[i * 4 + 2] = b - c;
            tmp[i * 4 + 3] = a - d;
        }
        for (int i = 0; i < 4; i++)
        {
            int dc = tmp[i] + 4;
            int a = dc + tmp[8 + i];
            int b = dc - tmp[8 + i];
            int c = Mul2(tmp[4 + i]) - Mul1(tmp[12 + i]);
            int d = Mul1(tmp[4 + i]) + Mul2(tmp[12 + i]);
            byte* row = dst + i * stride;
            row[0] = Clip(row[0] + ((a + d) >> 3));
            row[1] = Clip(row[1] + ((b + c) >> 3));
            row[2] = Clip(row[2] + ((b - c) >> 3));
            row[3] = Clip(row[3] + ((a - d) >> 3));
        }
    }

    /// <summary>Inverse WHT of the Y2 block into coefficient 0 of each of the 16 luma blocks.</summary>
    public static unsafe void InverseWht(short* input, short* blocks, bool full)
    {
        if (!full)
        {
            short dc0 = (short)((input[0] + 3) >> 3);
            for (int i = 0; i < 16; i++) blocks[i * 16] = dc0;
            return;
        }
        int* tmp = stackalloc int[16];
        for (int i = 0; i < 4; i++)
        {
            int a0 = input[i] + input[12 + i];
            int a1 = input[4 + i] + input[8 + i];
            int a2 = input[4 + i] - input[8 + i];
            int a3 = input[i] - input[12 + i];
            tmp[i] = a0 + a1;
            tmp[8 + i] = a0 - a1;
            tmp[4 + i] = a3 + a2;
            tmp[12 + i] = a3 - a2;
        }
        for (int i = 0; i < 4; i++)
        {
            int dc = tmp[i * 4] + 3;
            int a0 = dc + tmp[i * 4 + 3];
            int a1 = tmp[i * 4 + 1] + tmp[i * 4 + 2];
            int a2 = tmp[i * 4 + 1] - tmp[i * 4 + 2];
            int a3 = dc - tmp[i * 4 + 3];
            blocks[(i * 4 + 0) * 16] = (short)((a0 + a1) >> 3);
            blocks[(i * 4 + 1) * 16] = (short)((a3 + a2) >> 3);
            blocks[(i * 4 + 2) * 16] = (short)((a0 - a1) >> 3);
            blocks[(i * 4 + 3) * 16] = (short)((a3 - a2) >> 3);
        }
    }

    private static byte Clip(int v) => (uint)v <= 255 ? (byte)v : v < 0 ? (byte)0 : (byte)255;
}
