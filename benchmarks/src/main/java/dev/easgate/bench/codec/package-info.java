/**
 * JMH benchmarks of the WBXML codec ({@code WbxmlCodecBenchmark}), the documents they measure ({@link
 * dev.easgate.bench.codec.Documents}) and a small tool that writes those documents to files for the libwbxml
 * comparison harness in {@code benchmarks/libwbxml}.
 */
package dev.easgate.bench.codec;
