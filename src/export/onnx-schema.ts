/**
 * The part of ONNX's protobuf schema (onnx.proto, a proto2 file) that vaekit writes, as a protobufjs
 * reflection root. Only the messages and fields `onnx.ts` sets, and a few documentation fields, are
 * declared, with ONNX's field numbers and types: what it writes is an ordinary ONNX model, and decoding
 * skips the fields it does not declare. Each message is marked proto2 (protobufjs takes a message built
 * from JSON as proto3 otherwise): fields have explicit presence, and repeated numbers are packed only where
 * onnx.proto packs them (float_data, int64_data).
 */
import protobuf from 'protobufjs';

type Fields = Record<string, { id: number; type: string; rule?: 'optional' | 'repeated'; options?: object }>;

const packed = { packed: true };

/** A proto2 message whose fields are all optional unless marked repeated. */
function message(fields: Fields, nested?: Record<string, object>) {
  const withRules = Object.fromEntries(
    Object.entries(fields).map(([name, f]) => [name, { rule: 'optional', ...f }]),
  );
  return { edition: 'proto2', fields: withRules, ...(nested && { nested }) };
}

const onnx = {
  ModelProto: message({
    ir_version: { id: 1, type: 'int64' },
    producer_name: { id: 2, type: 'string' },
    producer_version: { id: 3, type: 'string' },
    domain: { id: 4, type: 'string' },
    model_version: { id: 5, type: 'int64' },
    doc_string: { id: 6, type: 'string' },
    graph: { id: 7, type: 'GraphProto' },
    opset_import: { id: 8, type: 'OperatorSetIdProto', rule: 'repeated' },
    metadata_props: { id: 14, type: 'StringStringEntryProto', rule: 'repeated' },
  }),
  StringStringEntryProto: message({
    key: { id: 1, type: 'string' },
    value: { id: 2, type: 'string' },
  }),
  OperatorSetIdProto: message({
    domain: { id: 1, type: 'string' },
    version: { id: 2, type: 'int64' },
  }),
  GraphProto: message({
    node: { id: 1, type: 'NodeProto', rule: 'repeated' },
    name: { id: 2, type: 'string' },
    initializer: { id: 5, type: 'TensorProto', rule: 'repeated' },
    doc_string: { id: 10, type: 'string' },
    input: { id: 11, type: 'ValueInfoProto', rule: 'repeated' },
    output: { id: 12, type: 'ValueInfoProto', rule: 'repeated' },
    value_info: { id: 13, type: 'ValueInfoProto', rule: 'repeated' },
  }),
  NodeProto: message({
    input: { id: 1, type: 'string', rule: 'repeated' },
    output: { id: 2, type: 'string', rule: 'repeated' },
    name: { id: 3, type: 'string' },
    op_type: { id: 4, type: 'string' },
    attribute: { id: 5, type: 'AttributeProto', rule: 'repeated' },
    doc_string: { id: 6, type: 'string' },
    domain: { id: 7, type: 'string' },
  }),
  AttributeProto: message(
    {
      name: { id: 1, type: 'string' },
      f: { id: 2, type: 'float' },
      i: { id: 3, type: 'int64' },
      s: { id: 4, type: 'bytes' },
      t: { id: 5, type: 'TensorProto' },
      floats: { id: 7, type: 'float', rule: 'repeated' },
      ints: { id: 8, type: 'int64', rule: 'repeated' },
      doc_string: { id: 13, type: 'string' },
      type: { id: 20, type: 'AttributeType' },
    },
    {
      AttributeType: {
        values: {
          UNDEFINED: 0,
          FLOAT: 1,
          INT: 2,
          STRING: 3,
          TENSOR: 4,
          GRAPH: 5,
          FLOATS: 6,
          INTS: 7,
          STRINGS: 8,
        },
      },
    },
  ),
  TensorProto: message({
    dims: { id: 1, type: 'int64', rule: 'repeated' },
    data_type: { id: 2, type: 'int32' },
    float_data: { id: 4, type: 'float', rule: 'repeated', options: packed },
    int64_data: { id: 7, type: 'int64', rule: 'repeated', options: packed },
    name: { id: 8, type: 'string' },
    raw_data: { id: 9, type: 'bytes' },
    doc_string: { id: 12, type: 'string' },
  }),
  ValueInfoProto: message({
    name: { id: 1, type: 'string' },
    type: { id: 2, type: 'TypeProto' },
    doc_string: { id: 3, type: 'string' },
  }),
  TypeProto: {
    ...message(
      {
        tensor_type: { id: 1, type: 'Tensor' },
        denotation: { id: 6, type: 'string' },
      },
      {
        Tensor: message({
          elem_type: { id: 1, type: 'int32' },
          shape: { id: 2, type: 'TensorShapeProto' },
        }),
      },
    ),
    oneofs: { value: { oneof: ['tensor_type'] } },
  },
  TensorShapeProto: message(
    { dim: { id: 1, type: 'Dimension', rule: 'repeated' } },
    {
      Dimension: {
        ...message({
          dim_value: { id: 1, type: 'int64' },
          dim_param: { id: 2, type: 'string' },
          denotation: { id: 3, type: 'string' },
        }),
        oneofs: { value: { oneof: ['dim_value', 'dim_param'] } },
      },
    },
  ),
};

/** TensorProto.DataType values vaekit uses. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;

/** IR version 8 (ONNX 1.10+) and opset 17 of the default domain: what the written models declare. */
export const IR_VERSION = 8;
export const OPSET = 17;

export const onnxRoot = protobuf.Root.fromJSON({ nested: { onnx: { nested: onnx } } });

/** The ModelProto message type: `encode` to write a model, `decode` to read one back. */
export const ModelProto = onnxRoot.lookupType('onnx.ModelProto');
