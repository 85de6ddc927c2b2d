"""A stock Python grpcio client that knows eiso only through server reflection.

    python reflection_client.py HOST:PORT

Lists the services, loads each one's descriptors with grpcio-reflection's
ProtoReflectionDescriptorDatabase into a DescriptorPool, and builds the
message class of every method's input and output type (which needs every
file they depend on, transitively). Prints one line per service and exits
non-zero on the first thing it cannot resolve.
"""

import sys

import grpc
from google.protobuf import descriptor_pool, message_factory
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)


def main(address: str) -> int:
    with grpc.insecure_channel(address) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        pool = descriptor_pool.DescriptorPool(database)
        services = database.get_services()
        if not services:
            print("no services listed", file=sys.stderr)
            return 1
        methods = 0
        for name in services:
            service = pool.FindServiceByName(name)
            for method in service.methods:
                for message in (method.input_type, method.output_type):
                    # Building the class walks every field's type.
                    message_factory.GetMessageClass(message)
                    pool.FindMessageTypeByName(message.full_name)
                methods += 1
            print(f"{name}: {len(service.methods)} methods")
        print(f"{len(services)} services, {methods} methods loaded by reflection")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
