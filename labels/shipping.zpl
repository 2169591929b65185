^XA
^CI28
^PW812
^LL1218
^LH0,0
^FX Ship-from block
^FO40,40^A0N,28,28^FH^FD{{from.name:40}}^FS
^FO40,74^A0N,24,24^FH^FD{{from.street:48}}^FS
^FO40,104^A0N,24,24^FH^FD{{from.postal_code:10}} {{from.city:30}} {{from.country:2}}^FS
^FO40,150^GB732,3,3^FS
^FX Ship-to block
^FO40,175^A0N,30,30^FDSHIP TO^FS
^FO40,215^A0N,48,48^FH^FD{{to.name:28}}^FS
^FO40,275^A0N,40,40^FH^FD{{to.street:32}}^FS
^FO40,325^A0N,40,40^FH^FD{{to.postal_code:10}} {{to.city:22}}^FS
^FO40,375^A0N,40,40^FH^FD{{to.country:2}} {{to.phone:20}}^FS
^FO40,440^GB732,3,3^FS
^FX Carrier and tracking
^FO40,465^A0N,32,32^FH^FD{{carrier:20}} {{service:20}}^FS
^FX Code 128 in automatic mode (no invocation codes: a '>' is a '>'); 2-dot modules fit 30 characters with quiet zones
^BY2,3,160
^FO40,520^BCN,160,Y,N,N,A^FH^FD{{tracking:30:bc}}^FS
^FO40,760^GB732,3,3^FS
^FX Order, package n/m, weight
^FX The order line stops 40 dots short of the QR code (^FB bounds it)
^FO40,790^FB540,1,0,L,0^A0N,32,32^FH^FDOrder {{order:22}}^FS
^FO40,835^A0N,32,32^FH^FDPackage {{package}}/{{packages}}^FS
^FO40,880^A0N,32,32^FH^FDWeight {{weight_kg:8}} kg^FS
^BY2,2,0
^FO620,790^BQN,2,5^FH^FDQA,{{tracking:30:bc}}^FS
^XZ
