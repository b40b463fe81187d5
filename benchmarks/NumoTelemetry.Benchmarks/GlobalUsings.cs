global using BenchmarkDotNet.Attributes;
global using BenchmarkDotNet.Running;
